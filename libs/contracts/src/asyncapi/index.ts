export {
  asyncApiDocument,
  ASYNCAPI_VERSION,
  DEAD_LETTER_MESSAGE,
  DeadLetterHeaderNames,
  DeadLetterReasons,
  EventHeaderNames,
  messageIdOf,
  RedriveHeaderNames,
  type ServiceMessaging,
} from './asyncapi-document';
export { EventSchemas, envelopeSchema, type EventSchema, type PublishedEventType } from './event-schemas';
export type { AnySchema, JsonSchema } from './json-schema';
