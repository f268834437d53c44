/**
 * Phase 1: whether Run As applies to the session at all. A failed call created no session; a
 * target that is not a managed node (ECS tasks) has no Run As; a Port session opens a tunnel,
 * not a shell, and one to port 22 is SSH, where the SSH login decides the user; Windows has no
 * Run As. Otherwise the node's platform and the session document decide the rest.
 */
import { documentNameOf } from './arn.ts';
import type { VersionLabel } from './decision.ts';
import type { DocumentRead, Known, Platform } from './facts.ts';
import { isManagedNodeId } from './identifiers.ts';
import type { SettingsSource } from './inputs.ts';
import { goField } from './json.ts';
import { end, needs, next, type Phase, type Trail, unverified } from './phase.ts';
import {
  parseSessionDocument,
  recordOrEmpty,
  type SessionDocument,
  type SessionParameters,
} from './sessionDocument.ts';
import { PREFERENCES_DOCUMENT, SSH_DOCUMENT, SSH_PORT, SSM_USER } from './sessionManager.ts';
import { type ParameterContext, parameterContext, substitute } from './templates.ts';

export interface ScopeFacts {
  readonly errorCode?: string;
  readonly target: string;
  readonly documentName: string;
  readonly judgedVersion: VersionLabel;
  readonly parameters: SessionParameters | undefined;
  readonly platform?: Known<Platform | null>;
}

export interface InScope {
  readonly platform: Exclude<Platform, 'Windows'>;
  readonly source: SettingsSource | 'built-in';
}

type PortKind =
  | { readonly kind: 'ssh' | 'other'; readonly port: string }
  | { readonly kind: 'unknown'; readonly reason: string };

/** The port a Port document forwards to (properties.portNumber after substitution). */
export const portOf = (name: string, document: SessionDocument, parameters: ParameterContext): PortKind => {
  const properties = recordOrEmpty(document.properties) ?? {};
  const result = substitute(goField(properties, 'portNumber'), parameters);
  const port = result.kind === 'value' && typeof result.value === 'string' ? result.value.trim() : '';
  if (documentNameOf(name) === SSH_DOCUMENT) return { kind: 'ssh', port };
  if (result.kind === 'ssm')
    return { kind: 'unknown', reason: `portNumber reads Parameter Store parameter ${result.parameter}` };
  if (result.kind === 'unset')
    return { kind: 'unknown', reason: `portNumber depends on parameter ${result.parameter}` };
  return { kind: port === SSH_PORT ? 'ssh' : 'other', port };
};

/** The document as read, or the reason it cannot be judged. */
const readDocument = (
  name: string,
  read: DocumentRead,
  given: SessionParameters | undefined,
): Known<SettingsSource> => {
  if (read.documentType !== '' && read.documentType !== 'Session') {
    return { known: false, reason: `it is a ${read.documentType} document, not a Session document` };
  }
  const parsed = parseSessionDocument(read.content);
  if (!parsed.known) return parsed;
  return {
    known: true,
    value: { name, document: parsed.value, parameters: parameterContext(parsed.value.parameters, given) },
  };
};

export const scopePhase = (
  facts: ScopeFacts,
  document: Known<DocumentRead | null> | undefined,
  trail: Trail,
): Phase<InScope> => {
  const { target, documentName } = facts;
  if (facts.errorCode !== undefined && facts.errorCode !== '') {
    return end(trail, { step: 'call-failed', errorCode: facts.errorCode }, { outcome: 'NOT_APPLICABLE' });
  }
  if (!isManagedNodeId(target))
    return end(trail, { step: 'not-a-node', target }, { outcome: 'NOT_APPLICABLE' });
  const { platform } = facts;
  if (platform === undefined || document === undefined) {
    return needs(
      ...(document === undefined ? [{ fact: 'document' } as const] : []),
      ...(platform === undefined ? [{ fact: 'platform' } as const] : []),
    );
  }
  const source =
    document.known && document.value !== null
      ? readDocument(documentName, document.value, facts.parameters)
      : undefined;
  const port =
    source?.known && source.value.document.sessionType === 'Port'
      ? portOf(documentName, source.value.document, source.value.parameters)
      : undefined;
  if (port?.kind === 'other')
    return end(
      trail,
      { step: 'port', document: documentName, port: port.port },
      { outcome: 'NOT_APPLICABLE' },
    );

  if (platform.known && platform.value === 'Windows') {
    const shell = source?.known === true && port === undefined;
    return end(
      trail,
      { step: 'windows', node: target, shell },
      {
        outcome: 'NOT_APPLICABLE',
        expectedUser: shell ? SSM_USER : '',
        sessionUser: shell ? SSM_USER : '',
      },
    );
  }
  if (!document.known)
    return unverified(trail, {
      step: 'document-unreadable',
      document: documentName,
      reason: document.reason,
    });
  if (source !== undefined && !source.known)
    return unverified(trail, { step: 'document-unreadable', document: documentName, reason: source.reason });
  if (port?.kind === 'ssh')
    return end(
      trail,
      { step: 'ssh-tunnel', document: documentName, port: port.port },
      { outcome: 'SSH_TUNNEL' },
    );
  if (port?.kind === 'unknown')
    return unverified(trail, { step: 'port-unknown', document: documentName, reason: port.reason });

  if (!platform.known)
    return unverified(trail, { step: 'platform-unreadable', node: target, reason: platform.reason });
  const os = platform.value;
  if (os === null || os === 'Windows') return unverified(trail, { step: 'node-unregistered', node: target });
  trail.steps.push({ step: 'platform', node: target, platform: os });
  if (source === undefined) {
    // A missing preferences document means Session Manager's built-in defaults; a missing named
    // document means the settings the session used are gone.
    if (documentNameOf(documentName) !== PREFERENCES_DOCUMENT) {
      return unverified(trail, { step: 'document-gone', document: documentName, posture: false });
    }
    return next({ platform: os, source: 'built-in' });
  }
  const read = document.value;
  if (read !== null && read.version !== '') {
    trail.documentVersion = read.version;
    trail.steps.push({
      step: 'document-version',
      document: documentName,
      version: read.version,
      label: facts.judgedVersion,
    });
  }
  return next({ platform: os, source: source.value });
};
