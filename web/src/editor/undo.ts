/**
 * The editor's undo/redo: a list of states with a cursor. `push` after each finished edit (a
 * dragged vertex, an inserted or deleted vertex); `undo`/`redo` move the cursor and return the
 * state to show. Pushing after an undo drops the redo branch. Pure and generic.
 */
export class UndoStack<T> {
  private states: T[] = [];
  private cursor = -1;

  constructor(private readonly max = 200) {}

  /** Starts over from `initial` (e.g. after selecting another grid or saving). */
  reset(initial: T): void {
    this.states = [initial];
    this.cursor = 0;
  }

  clear(): void {
    this.states = [];
    this.cursor = -1;
  }

  push(state: T): void {
    this.states = this.states.slice(0, this.cursor + 1);
    this.states.push(state);
    if (this.states.length > this.max) this.states.shift();
    this.cursor = this.states.length - 1;
  }

  get current(): T | undefined {
    return this.states[this.cursor];
  }

  get canUndo(): boolean {
    return this.cursor > 0;
  }

  get canRedo(): boolean {
    return this.cursor >= 0 && this.cursor < this.states.length - 1;
  }

  /** Number of edits since the last reset that are not undone. */
  get depth(): number {
    return Math.max(0, this.cursor);
  }

  undo(): T | undefined {
    if (!this.canUndo) return undefined;
    this.cursor -= 1;
    return this.states[this.cursor];
  }

  redo(): T | undefined {
    if (!this.canRedo) return undefined;
    this.cursor += 1;
    return this.states[this.cursor];
  }
}
