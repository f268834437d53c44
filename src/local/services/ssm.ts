/**
 * Systems Manager over awsJson1_1 (`X-Amz-Target: AmazonSSM.<Operation>`): documents, node
 * information, inventory, sessions, and a Run Command emulation of the user-existence probe
 * that parses the command text and never executes anything.
 */
import { getCommandInvocation, sendCommand } from './ssmCommands.ts';
import type { SsmOperation } from './ssmContext.ts';
import { describeDocument, getDocument } from './ssmDocuments.ts';
import { describeInstanceInformation, listInventoryEntries } from './ssmNodes.ts';
import { describeSessions, terminateSession } from './ssmSessions.ts';

export { probedUser } from './ssmCommands.ts';
export type { SsmContext } from './ssmContext.ts';

const operations: Readonly<Record<string, SsmOperation>> = {
  GetDocument: getDocument,
  DescribeDocument: describeDocument,
  DescribeInstanceInformation: describeInstanceInformation,
  ListInventoryEntries: listInventoryEntries,
  DescribeSessions: describeSessions,
  TerminateSession: terminateSession,
  SendCommand: sendCommand,
  GetCommandInvocation: getCommandInvocation,
};

export function ssmOperation(name: string): SsmOperation | undefined {
  return Object.hasOwn(operations, name) ? operations[name] : undefined;
}
