import { type KeysTreeProvider } from '../tree';
import { KeyCommandDeps } from './deps';

/** `eqp.keys.refresh`: re-reads the store (another window may have changed it) and re-renders the tree. */
export class RefreshCommand {
  constructor(private readonly deps: KeyCommandDeps, private readonly tree: KeysTreeProvider) {}

  run(): void {
    this.deps.store.reload();
    this.tree.refresh();
  }
}
