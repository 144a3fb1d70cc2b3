// j/k selection over the rows of a list (rows are buttons, so Enter and clicks open them natively).

import { moveIndex } from './keys';

export class ListNav {
  private index = -1;

  constructor(private readonly list: HTMLElement, private readonly rowSelector: string) {}

  rows(): HTMLElement[] {
    return [...this.list.querySelectorAll<HTMLElement>(this.rowSelector)];
  }

  /** Moves the selection and focuses the row; false when the list is empty. */
  move(delta: number): boolean {
    const rows = this.rows();
    const focusedIndex = rows.findIndex((r) => r === document.activeElement);
    const from = focusedIndex >= 0 ? focusedIndex : this.index;
    const next = moveIndex(from, delta, rows.length);
    if (next < 0) return false;
    this.select(next, rows);
    rows[next].focus();
    rows[next].scrollIntoView({ block: 'nearest' });
    return true;
  }

  /** The selected row, if any. */
  selected(): HTMLElement | null {
    return this.rows()[this.index] ?? null;
  }

  /** Marks the row with this data-id selected (e.g. the one opened). */
  selectId(id: string | null): void {
    const rows = this.rows();
    this.select(
      rows.findIndex((r) => r.dataset.id === id),
      rows,
    );
  }

  private select(index: number, rows: HTMLElement[]): void {
    this.index = index;
    rows.forEach((r, i) => {
      r.classList.toggle('selected', i === index);
      if (i === index) r.setAttribute('aria-current', 'true');
      else r.removeAttribute('aria-current');
    });
  }
}
