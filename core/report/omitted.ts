import type { PreviewView } from '../../shared/api-contract';

/**
 * The "Left out" list: each field once, and a field never beside one of its parents (`library`
 * already says everything about `library.tracks`). The first reason given for a field is kept.
 */
export class OmittedFields {
  private readonly entries: PreviewView['omitted'] = [];

  add(path: string, reason: string): void {
    const covers = (parent: string, child: string) => child === parent || child.startsWith(`${parent}.`);
    if (this.entries.some((e) => covers(e.path, path))) return;
    for (let i = this.entries.length - 1; i >= 0; i--) if (covers(path, this.entries[i]!.path)) this.entries.splice(i, 1);
    this.entries.push({ path, reason });
  }

  removeWhere(test: (path: string) => boolean): void {
    for (let i = this.entries.length - 1; i >= 0; i--) if (test(this.entries[i]!.path)) this.entries.splice(i, 1);
  }

  list(): PreviewView['omitted'] {
    return this.entries.map((e) => ({ ...e }));
  }
}
