/**
 * Proves a pair works by minting a session token with it, then reads the account's profile for a name to show.
 * No `vscode` import. The profile is a nicety: if that call fails the key is still verified.
 */
import type { EqpClient, SessionToken } from '../eqp/client';
import type { EnvironmentId } from '../eqp/environments';
import { EqpError } from '../eqp/errors';
import type { Verification } from './keyStore';

export type VerifyOutcome =
  | { ok: true; verification: Verification; token: SessionToken; requestedAt: number }
  | { ok: false; verification: Verification; error: EqpError };

/** What a failed verification means for the key's state. */
export function stateFor(error: EqpError): Verification['state'] {
  return error.isAuthFailure ? 'rejected' : 'unreachable';
}

export function profileDisplayName(p: { firstName?: string; lastName?: string; screenName?: string }): string | undefined {
  const full = [p.firstName, p.lastName].filter((s) => s && s.trim()).join(' ').trim();
  return full || p.screenName || undefined;
}

export class KeyVerifier {
  constructor(
    private readonly client: Pick<EqpClient, 'getSessionToken' | 'getProfile'>,
    private readonly lifetime: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(env: EnvironmentId, applicationId: string, applicationSecret: string, signal?: AbortSignal): Promise<VerifyOutcome> {
    const requestedAt = this.now();
    let token: SessionToken;
    try {
      token = await this.client.getSessionToken(env, applicationId, applicationSecret, this.lifetime(), signal);
    } catch (e) {
      const error = e instanceof EqpError ? e : new EqpError('network', 'The EQP API could not be asked.', {});
      return { ok: false, error, verification: { state: stateFor(error), detail: error.serverMessage ?? error.message } };
    }
    let profileName: string | undefined;
    try {
      profileName = profileDisplayName(await this.client.getProfile(env, token.token, token.mageId, signal));
    } catch {
      // The key works; without a profile we show the mage_id alone.
    }
    return { ok: true, token, requestedAt, verification: { state: 'verified', mageId: token.mageId, profileName } };
  }
}
