
/**
 * Which processes of the machine belong to a package manager's tree, by ancestry: a process that
 * runs a package manager starts a tree (unless it is already in one), and every process it forks
 * or starts belongs to the same tree, through any number of generations, shells and
 * interpreters, and even after it detaches. An install is recognised by what runs, not by a
 * wrapper that must start it.
 *
 * Bounded: members leave at their end (exit_group), and the builder drops the processes it has
 * known longest past its own cap (MAX_TREE_PROCESSES), telling this class as an end.
 */
export interface InstallTree {
  /** The pid that ran the package manager. */
  root: number;
  manager: string;
  /** Members still running. */
  members: Set<number>;
}

export class InstallTrees {
  private readonly treeOf = new Map<number, InstallTree>();

  /** The tree of a process, if any. */
  of(pid: number): InstallTree | undefined {
    return this.treeOf.get(pid);
  }

  /** `pid` started (exec) a program; `manager` when it is a package manager. */
  started(pid: number, ppid: number | undefined, manager: string | undefined): InstallTree | undefined {
    const existing = this.treeOf.get(pid) ?? (ppid === undefined ? undefined : this.treeOf.get(ppid));
    if (existing) {
      this.join(existing, pid);
      return existing;
    }
    if (manager === undefined) return undefined;
    const tree: InstallTree = { root: pid, manager, members: new Set() };
    this.join(tree, pid);
    return tree;
  }

  /** A new process: a pid still listed from a process that ended unseen (killed: no exit_group) is another process now. */
  cloned(parent: number, child: number): void {
    this.exited(child);
    const tree = this.treeOf.get(parent);
    if (tree) this.join(tree, child);
  }

  exited(pid: number): void {
    const tree = this.treeOf.get(pid);
    if (!tree) return;
    this.treeOf.delete(pid);
    tree.members.delete(pid);
  }

  /** Processes in some tree now. */
  get size(): number {
    return this.treeOf.size;
  }

  private join(tree: InstallTree, pid: number): void {
    const before = this.treeOf.get(pid);
    if (before && before !== tree) before.members.delete(pid);
    this.treeOf.set(pid, tree);
    tree.members.add(pid);
  }
}
