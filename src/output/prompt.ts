import { createInterface } from 'node:readline';

/** Asks a yes/no question on the terminal; anything but y/yes (or Ctrl-C) is a no. */
export function askYesNo(
  question: string,
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream },
): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.input, output: io.output });
    let answered = false;
    rl.on('SIGINT', () => {
      answered = true;
      rl.close();
      io.output.write('\n');
      resolve(false);
    });
    rl.on('close', () => {
      if (!answered) resolve(false);
    });
    rl.question(`${question} [y/N] `, (answer) => {
      answered = true;
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
  });
}
