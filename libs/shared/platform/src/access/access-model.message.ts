import { randomUUID } from 'node:crypto';
import {
  CE_HEADERS,
  CLOUDEVENTS_SPEC_VERSION,
  JSON_CONTENT_TYPE,
  cloudEventSource,
  cloudEventType,
  parseCloudEventMessage,
  type ConsumedMessage,
  type OutgoingMessage,
} from '@trainyard/messaging';
import {
  ACCESS_MODEL_EVENT_TYPE,
  ACCESS_MODEL_KEY,
  ACCESS_MODEL_SCHEMA_VERSION,
  InvalidAccessModelError,
  parseAccessModel,
  type AccessModel,
} from './access-model';

/** The CloudEvent (binary mode) compliance publishes on the access-model topic. */
export function toAccessModelMessage(model: AccessModel, actor = 'compliance'): OutgoingMessage {
  return {
    key: ACCESS_MODEL_KEY,
    value: Buffer.from(JSON.stringify(model), 'utf8'),
    headers: {
      [CE_HEADERS.specversion]: CLOUDEVENTS_SPEC_VERSION,
      [CE_HEADERS.id]: randomUUID(),
      [CE_HEADERS.source]: cloudEventSource('compliance'),
      [CE_HEADERS.type]: cloudEventType(
        'compliance',
        ACCESS_MODEL_EVENT_TYPE,
        ACCESS_MODEL_SCHEMA_VERSION,
      ),
      [CE_HEADERS.subject]: `access-model-${model.modelId}`,
      [CE_HEADERS.time]: model.publishedAt,
      [CE_HEADERS.contentType]: JSON_CONTENT_TYPE,
      [CE_HEADERS.actor]: actor,
      ce_modelversion: String(model.version),
    },
  };
}

/** The model a message carries; InvalidAccessModelError for anything else (a foreign type, bad data). */
export function accessModelOf(
  message: Pick<ConsumedMessage, 'key' | 'value' | 'headers'>,
): AccessModel {
  let event;
  try {
    event = parseCloudEventMessage(message);
  } catch (error) {
    throw new InvalidAccessModelError(error instanceof Error ? error.message : String(error));
  }
  if (
    event.eventType !== ACCESS_MODEL_EVENT_TYPE ||
    event.schemaVersion !== ACCESS_MODEL_SCHEMA_VERSION
  )
    throw new InvalidAccessModelError(`unexpected event type ${event.type}`);
  return parseAccessModel(event.data);
}
