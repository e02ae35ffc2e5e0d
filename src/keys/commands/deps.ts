// What every key command gets injected: the key store, the verifier, settings, the log, the token cache.
import type { Settings } from '../../config';
import type { SessionToken } from '../../eqp/client';
import type { Logger } from '../../util/logger';
import type { Clock } from '../../util/clock';
import { KeyRecord, KeyStore } from '../keyStore';
import { EnvironmentNode, KeyNode } from '../tree';
import type { KeyVerifier } from '../verifier';

/** Receives the token a successful verification minted, so the first token request needs no second mint. */
export interface VerifiedTokenSink {
  adopt(key: Pick<KeyRecord, 'id' | 'environment' | 'name' | 'applicationId'>, token: SessionToken, requestedAt: number): Promise<void>;
}

export interface KeyCommandDeps {
  store: KeyStore;
  /** Shows a key in the API Keys view (selects it) when the view is open. */
  reveal?: (keyId: string) => Promise<void>;
  verifier: KeyVerifier;
  settings: Settings;
  logger: Logger;
  /**
   * The API Keys view's focused row, made the selection first (for the view's keybindings, which pass no row:
   * arrow keys move the focus, not the selection).
   */
  selection?: () => Promise<readonly (EnvironmentNode | KeyNode)[]>;
  /** The time expiries are compared with (default the system clock). */
  clock?: Clock;
  tokens?: VerifiedTokenSink & { load(keyIds: readonly string[]): Promise<({ expiresAt: number } | undefined)[]>; forget(keyId?: string): Promise<void> };
}
