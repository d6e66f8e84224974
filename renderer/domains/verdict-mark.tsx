import './domains.css';
/** How a check came out, as the doctor and the evidence name it. */
export type Verdict = 'pass' | 'fail' | 'warn' | 'skip';

const ICON: Record<Verdict, string> = { pass: '✓', fail: '✗', warn: '!', skip: '–' };
const WORD: Record<Verdict, string> = {
  pass: 'Pass',
  fail: 'Fail',
  warn: 'Warning',
  skip: 'Skipped',
};

/** An icon and a word: the word is always there for those who cannot tell the colours apart. */
export function VerdictMark({ verdict, word }: { verdict: Verdict; word?: string }) {
  return (
    <span className={`verdict verdict-${verdict}`}>
      <span className="verdict-icon" aria-hidden="true">
        {ICON[verdict]}
      </span>
      {word ?? WORD[verdict]}
    </span>
  );
}
