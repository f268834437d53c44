import { Logger } from '@aws-lambda-powertools/logger';

/** The one logger. Correlation keys are appended per event by the handlers. */
export const logger = new Logger({ serviceName: 'ssm-runas-auditor' });
