import { useEffect, useRef, type ReactNode } from 'react';

let firstRender = true;

/**
 * A screen's h1. After navigation it takes focus (so keyboard and screen reader users land at the
 * top of the new screen); on the very first render it does not, so the skip link stays first.
 */
export function ViewHeading({ children, id }: { children: ReactNode; id?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (firstRender) {
      firstRender = false;
      return;
    }
    ref.current?.focus({ preventScroll: false });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} id={id} className="view-title">
      {children}
    </h1>
  );
}

/** For tests: make the next heading behave like a first render again. */
export function resetViewHeadingFocus(): void {
  firstRender = true;
}
