import type { ReactNode } from 'react';
import './ui.css';

/** Remedies from main quote commands in backticks: those become code, the rest stays text. */
export function withCode(text: string): ReactNode[] {
  return text
    .split(/`([^`]+)`/)
    .map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

/** "What to do: …" — the last line of every explanation (docs/ARCHITECTURE.md, "Errors that say what to do"). */
export function Remedy({ text }: { text: string }) {
  return (
    <p className="remedy">
      <span className="remedy-label">What to do: </span>
      {withCode(text)}
    </p>
  );
}
