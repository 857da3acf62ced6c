/**
 * A windowed, keyboard-driven listbox: only the rows in view (plus a few) are in the DOM, so
 * 10,000 entries cost what 30 do. Fixed row height keeps the arithmetic exact and the scroll bar
 * honest. One tab stop; arrows, Page Up/Down, Home and End move, and selection follows focus.
 * Screen readers get `aria-activedescendant`, `aria-setsize` and `aria-posinset`, so "row 4,812
 * of 10,000" is announced even though only a handful of rows exist.
 *
 * Why not a library: react-window and friends would do, but this is 150 lines with exactly the
 * semantics needed (listbox + activedescendant), no dependency to audit, and nothing it cannot do.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface VirtualListboxProps {
  count: number;
  rowHeight: number;
  /** Accessible name of the list. */
  label: string;
  /** Stable DOM id for row `index` (used by aria-activedescendant). */
  rowId: (index: number) => string;
  renderRow: (index: number) => ReactNode;
  /** Accessible name of row `index` (its text content is used otherwise). */
  rowLabel?: (index: number) => string | undefined;
  selectedIndex: number | null;
  onSelect: (index: number) => void;
  /** Called with the rows in view (inclusive), after scrolling or resizing. */
  onRangeChange?: (start: number, end: number) => void;
  overscan?: number;
  className?: string;
  /** Height used before the list can measure itself (and in environments without layout). */
  fallbackHeight?: number;
}

export function VirtualListbox(props: VirtualListboxProps) {
  const { count, rowHeight, overscan = 8, selectedIndex, onSelect, onRangeChange, fallbackHeight = 480 } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(fallbackHeight);
  const [active, setActive] = useState<number>(selectedIndex ?? 0);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight > 0 ? el.clientHeight : fallbackHeight);
    measure();
    if (typeof ResizeObserver === 'undefined') {
      window.addEventListener('resize', measure);
      return () => window.removeEventListener('resize', measure);
    }
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [fallbackHeight]);

  // A new selection from outside moves the keyboard's position too (adjusted while rendering).
  const [followed, setFollowed] = useState(selectedIndex);
  if (selectedIndex !== followed) {
    setFollowed(selectedIndex);
    if (selectedIndex !== null) setActive(selectedIndex);
  }

  const clampedActive = Math.min(Math.max(0, active), Math.max(0, count - 1));
  const visibleRows = Math.max(1, Math.floor(height / rowHeight));
  const first = Math.max(0, Math.floor(scrollTop / rowHeight));
  const last = Math.min(count - 1, Math.ceil((scrollTop + height) / rowHeight));
  const start = Math.max(0, first - overscan);
  const end = Math.min(count - 1, last + overscan);

  useEffect(() => {
    if (count > 0) onRangeChange?.(first, last);
  }, [first, last, count, onRangeChange]);

  const scrollIntoView = useCallback(
    (index: number) => {
      const el = ref.current;
      if (!el) return;
      const top = index * rowHeight;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + rowHeight > el.scrollTop + height) el.scrollTop = top + rowHeight - height;
      setScrollTop(el.scrollTop);
    },
    [rowHeight, height],
  );

  const move = (index: number) => {
    if (count === 0) return;
    const next = Math.min(Math.max(0, index), count - 1);
    setActive(next);
    scrollIntoView(next);
    onSelect(next);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const keys: Record<string, () => number> = {
      ArrowDown: () => clampedActive + 1,
      ArrowUp: () => clampedActive - 1,
      PageDown: () => clampedActive + visibleRows,
      PageUp: () => clampedActive - visibleRows,
      Home: () => 0,
      End: () => count - 1,
    };
    const target = keys[event.key];
    if (target) {
      event.preventDefault();
      move(target());
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      move(clampedActive);
    }
  };

  const indices: number[] = [];
  for (let i = start; i <= end; i++) indices.push(i);
  // The active row must exist for aria-activedescendant, even when scrolled away with the mouse.
  if (count > 0 && (clampedActive < start || clampedActive > end)) indices.push(clampedActive);

  return (
    <div
      ref={ref}
      className={`vlist ${props.className ?? ''}`}
      role="listbox"
      tabIndex={0}
      aria-label={props.label}
      aria-activedescendant={count > 0 ? props.rowId(clampedActive) : undefined}
      onKeyDown={onKeyDown}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
    >
      <div className="vlist-spacer" style={{ height: count * rowHeight }}>
        {indices.map((index) => {
          const label = props.rowLabel?.(index);
          return (
            <div
              key={index}
              id={props.rowId(index)}
              role="option"
              aria-selected={selectedIndex === index}
              aria-posinset={index + 1}
              aria-setsize={count}
              aria-label={label}
              className={`vlist-row${index === clampedActive ? ' is-active' : ''}${selectedIndex === index ? ' is-selected' : ''}${index % 2 ? ' is-odd' : ''}`}
              style={{ transform: `translateY(${index * rowHeight}px)`, height: rowHeight }}
              onClick={() => {
                setActive(index);
                onSelect(index);
                ref.current?.focus({ preventScroll: true });
              }}
            >
              {props.renderRow(index)}
            </div>
          );
        })}
      </div>
    </div>
  );
}
