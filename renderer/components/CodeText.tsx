/**
 * A sentence from the agent, where a command or setting is written between backticks (as the CLI
 * prints it): shown as code, without the backticks.
 */
export function CodeText({ text }: { text: string }) {
  const parts = text.split('`');
  // An odd count of backticks leaves the last part unpaired: it is shown as written.
  if (parts.length % 2 === 0) return <>{text}</>;
  return <>{parts.map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part))}</>;
}
