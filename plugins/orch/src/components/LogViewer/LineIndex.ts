/**
 * Heights (in display lines) of a log's rows — one row per event — with
 * prefix sums in a Fenwick tree: where a row starts and which row holds a
 * given line, both in O(log n). A million rows cost 8 MB of typed arrays,
 * whatever the rows hold.
 */
export class LineIndex {
  private heights = new Uint32Array(0);
  private tree = new Int32Array(1);
  private capacity = 0;
  private count = 0;
  private sum = 0;

  /** Number of rows. */
  get size(): number {
    return this.count;
  }

  /** Sum of every row's height. */
  get total(): number {
    return this.sum;
  }

  /** Grows to `size` rows; new rows take `height`. Never shrinks. */
  resize(size: number, height = 1): void {
    if (size <= this.count) return;
    if (size > this.capacity) {
      let capacity = Math.max(1024, this.capacity);
      while (capacity < size) capacity *= 2;
      const heights = new Uint32Array(capacity);
      heights.set(this.heights.subarray(0, this.count));
      heights.fill(height, this.count, size);
      this.heights = heights;
      this.capacity = capacity;
      this.rebuild();
    } else {
      for (let row = this.count; row < size; row++) {
        this.heights[row] = height;
        this.add(row, height);
      }
    }
    this.sum += (size - this.count) * height;
    this.count = size;
  }

  height(row: number): number {
    return this.heights[row] ?? 0;
  }

  set(row: number, height: number): void {
    if (row < 0 || row >= this.count) return;
    const delta = height - this.heights[row];
    if (delta === 0) return;
    this.heights[row] = height;
    this.sum += delta;
    this.add(row, delta);
  }

  /** Sum of the heights of rows `[0, row)`. */
  start(row: number): number {
    let i = Math.min(row, this.count);
    let s = 0;
    while (i > 0) {
      s += this.tree[i];
      i -= i & -i;
    }
    return s;
  }

  /**
   * The row that holds display line `line` (0-based): the first row whose
   * end is past it. Clamped to the last row; -1 when there are no rows.
   */
  rowAt(line: number): number {
    if (this.count === 0) return -1;
    if (line < 0) return 0;
    let pos = 0;
    let rest = line;
    let step = 1;
    while (step * 2 <= this.capacity) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.capacity && this.tree[next] <= rest) {
        pos = next;
        rest -= this.tree[next];
      }
    }
    return Math.min(pos, this.count - 1);
  }

  private add(row: number, delta: number) {
    for (let i = row + 1; i <= this.capacity; i += i & -i) {
      this.tree[i] += delta;
    }
  }

  private rebuild() {
    const tree = new Int32Array(this.capacity + 1);
    for (let i = 1; i <= this.capacity; i++) {
      tree[i] += this.heights[i - 1];
      const j = i + (i & -i);
      if (j <= this.capacity) tree[j] += tree[i];
    }
    this.tree = tree;
  }
}
