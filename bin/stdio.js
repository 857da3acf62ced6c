// How the command lines write their lines. A reader that goes away early (`candor history | head`)
// closes the pipe: that is its choice, not an error. Later output is dropped, and the command ends
// as it would have, with its own exit code: no EPIPE, no stack trace.

/** A line writer for `stream` (process.stdout or process.stderr). */
export function lineWriter(stream) {
  let closed = false;
  stream.on('error', (error) => {
    if (error?.code !== 'EPIPE') throw error;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text + '\n');
  };
}
