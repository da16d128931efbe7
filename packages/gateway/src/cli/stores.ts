/**
 * The CLI's way to the stores a gateway keeps its API keys, approval queue and tool pins in: the embedded
 * database at storage.path, or — with storage.postgres — the shared PostgreSQL every replica
 * uses, through a pool of its own that is closed when the command ends. Stores are opened on
 * first use, so a command that needs neither opens nothing.
 */
import type { ApprovalStore } from '../approvals/approval-store.ts';
import { openApprovalStore } from '../approvals/open-approval-store.ts';
import type { ApiKeyStore } from '../auth/api-keys.ts';
import { openApiKeyStore } from '../auth/open-api-keys.ts';
import type { GatewayModel } from '../config/model.ts';
import { openPinStore } from '../pins/open-store.ts';
import type { PinStore } from '../pins/store.ts';
import { openSharedPostgres, type SharedPostgres } from '../storage/postgres.ts';

export class CliStores {
  private readonly model: GatewayModel;
  private shared: SharedPostgres | null = null;
  private keyStore: ApiKeyStore | null = null;
  private approvalStore: ApprovalStore | null = null;
  private pinStore: PinStore | null = null;

  constructor(model: GatewayModel) {
    this.model = model;
  }

  private sharedPostgres(): SharedPostgres | null {
    const pg = this.model.storage.postgres;
    if (pg === null) return null;
    // One connection is all a command needs.
    this.shared ??= openSharedPostgres({ url: pg.url, poolSize: 1 });
    return this.shared;
  }

  keys(): ApiKeyStore {
    // No cache: a command reads what is stored now.
    this.keyStore ??= openApiKeyStore(this.model.storage, this.sharedPostgres(), { cacheMs: 0 });
    return this.keyStore;
  }

  approvals(): ApprovalStore {
    this.approvalStore ??= openApprovalStore(this.model.storage, this.sharedPostgres(), {
      ttlSeconds: this.model.approvals.ttlSeconds,
    });
    return this.approvalStore;
  }

  pins(): PinStore {
    this.pinStore ??= openPinStore(this.model, this.sharedPostgres());
    return this.pinStore;
  }

  async close(): Promise<void> {
    await this.keyStore?.close();
    await this.approvalStore?.close();
    await this.pinStore?.close();
    await this.shared?.close();
  }
}

/** Runs `use` with the stores of `model` and closes them after, whatever happens. */
export async function withCliStores<T>(
  model: GatewayModel,
  use: (stores: CliStores) => Promise<T>,
): Promise<T> {
  const stores = new CliStores(model);
  try {
    return await use(stores);
  } finally {
    await stores.close();
  }
}
