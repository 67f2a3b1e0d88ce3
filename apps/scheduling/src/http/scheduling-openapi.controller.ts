import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import {
  ApiExcludeController,
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
} from '@nestjs/swagger';
import type { INestApplication } from '@nestjs/common';
import { Public } from '@trainyard/platform';

const PREFIX = '/api/scheduling';
const UI_ASSETS = new Set([
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
]);

/**
 * The scheduling REST API's OpenAPI document (`/api/scheduling/docs-json`) and a Swagger UI
 * (`/api/scheduling/docs`), both public: they describe the API, the data stays behind tokens.
 * The platform creates the Nest application, so the document is built here from the injected
 * container rather than with `SwaggerModule.setup(app)` in a bootstrap this service does not own.
 */
@ApiExcludeController()
@Controller('api/scheduling')
export class SchedulingOpenApiController {
  private document?: OpenAPIObject;

  constructor(
    @Inject(ModulesContainer) private readonly modules: ModulesContainer,
    @Inject(ApplicationConfig) private readonly appConfig: ApplicationConfig,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Public()
  @Get('docs-json')
  openApi(): OpenAPIObject {
    return (this.document ??= this.build());
  }

  @Public()
  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  ui(): string {
    return `<!doctype html>
<html><head><meta charset="utf-8"><title>Trainyard scheduling API</title>
<link rel="stylesheet" href="${PREFIX}/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="${PREFIX}/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '${PREFIX}/docs-json', dom_id: '#swagger-ui' });</script>
</body></html>`;
  }

  @Public()
  @Get('docs/assets/:file')
  asset(
    @Param('file') file: string,
    @Res({ passthrough: true }) response: { type(contentType: string): unknown },
  ): string {
    if (!UI_ASSETS.has(file)) throw new NotFoundException();
    response.type(file.endsWith('.css') ? 'text/css' : 'application/javascript');
    return readFileSync(join(require.resolve('swagger-ui-dist/package.json'), '..', file), 'utf8');
  }

  private build(): OpenAPIObject {
    const config = new DocumentBuilder()
      .setTitle('Trainyard scheduling')
      .setDescription(
        'Deployment and maintenance windows, freezes and holidays, exact in every time zone. Part 1: the schedule preview.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build();
    const app = {
      container: { getModules: () => this.modules, isGlobalModule: () => false },
      config: this.appConfig,
      getHttpAdapter: () => this.adapterHost.httpAdapter,
    } as unknown as INestApplication;
    const document = SwaggerModule.createDocument(app, config);
    document.paths = Object.fromEntries(
      Object.entries(document.paths).filter(([path]) => path.startsWith(PREFIX)),
    );
    return document;
  }
}
