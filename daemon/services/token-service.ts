import type { TokensPort } from '../api/services.js';
import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { Service } from '../lifecycle/service.js';
import { AppTokens } from '../tokens/app-tokens.js';

/**
 * App tokens (daemon/tokens/app-tokens.ts): loaded at start, last-used times flushed at stop.
 * Creating and revoking are recorded as events (the name and scope, never the token).
 */
export class TokenService implements Service {
  readonly name = 'tokens';
  readonly dependsOn = ['daemon', 'store'];
  readonly tokens: AppTokens;
  readonly port: TokensPort;

  constructor(ctx: DaemonContext) {
    this.tokens = new AppTokens({
      dataDir: ctx.config().dataDir,
      onError: (err) => ctx.logger.error({ err }, 'app tokens: write failed'),
    });
    this.port = {
      list: () => this.tokens.list(),
      verify: (offered, from) => this.tokens.verify(offered, from),
      create: async (name, scope) => {
        const created = await this.tokens.create(name, scope);
        ctx.record({ type: 'api.token.created', level: 'info', message: `app token ${created.name} created (scope ${created.scope})`, data: { id: created.id, name: created.name, scope: created.scope } });
        return created;
      },
      revoke: async (idOrName) => {
        const revoked = await this.tokens.revoke(idOrName);
        ctx.record({ type: 'api.token.revoked', level: 'info', message: `app token ${revoked.name} revoked`, data: { id: revoked.id, name: revoked.name, scope: revoked.scope } });
        return revoked;
      },
    };
  }

  async start(): Promise<void> {
    await this.tokens.load();
  }

  async stop(): Promise<void> {
    await this.tokens.flush();
  }
}
