import type { Logger } from '@nestjs/common';
import type { MessagingLogger } from '@trainyard/messaging';

/** A NestJS logger as the messaging library's logger: the message, then the context as JSON. */
export const nestMessagingLogger = (logger: Logger): MessagingLogger => {
  const line = (context: Record<string, unknown>, message: string) =>
    `${message} ${JSON.stringify(context)}`;
  return {
    error: (context, message) => logger.error(line(context, message)),
    warn: (context, message) => logger.warn(line(context, message)),
    info: (context, message) => logger.log(line(context, message)),
    debug: (context, message) => logger.debug(line(context, message)),
  };
};
