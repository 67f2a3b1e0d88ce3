import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Controller,
  Get,
  Header,
  Inject,
  NotFoundException,
  Param,
  Res,
  type Type,
} from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import {
  ApiExcludeController,
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
} from '@nestjs/swagger';
import type { INestApplication } from '@nestjs/common';
import { Public } from '../auth/auth.decorators';

const UI_ASSETS = new Set([
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
]);

export interface OpenApiDocument {
  /** The service: its REST routes are under `/api/<service>`, and only those are documented. */
  readonly service: string;
  readonly title: string;
  readonly description: string;
}

/**
 * A service's OpenAPI document (`/api/<service>/docs-json`) and a Swagger UI (`/api/<service>/docs`),
 * both public: they describe the API, the data stays behind tokens. The platform creates the Nest
 * application, so the document is built from the injected container rather than with
 * `SwaggerModule.setup(app)` in a bootstrap the service does not own. Add the returned controller
 * to the service module's controllers.
 */
export function openApiController({ service, title, description }: OpenApiDocument): Type {
  const prefix = `/api/${service}`;

  @ApiExcludeController()
  @Controller(`api/${service}`)
  class OpenApiController {
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
<html><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="${prefix}/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="${prefix}/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '${prefix}/docs-json', dom_id: '#swagger-ui' });</script>
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
      return readFileSync(
        join(require.resolve('swagger-ui-dist/package.json'), '..', file),
        'utf8',
      );
    }

    private build(): OpenAPIObject {
      const config = new DocumentBuilder()
        .setTitle(title)
        .setDescription(description)
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
        Object.entries(document.paths).filter(([path]) => path.startsWith(prefix)),
      );
      return document;
    }
  }
  return OpenApiController;
}
