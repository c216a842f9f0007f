import { prettyFactory } from "pino-pretty";

const LABEL_COLOURS = [36, 35, 33, 32, 34, 96, 95, 93, 92, 94];

export interface LineFormatterOptions {
  colour: boolean;
}

function colourFor(label: string): number {
  let hash = 0;
  for (let i = 0; i < label.length; i++) hash = (hash * 31 + label.charCodeAt(i)) >>> 0;
  return LABEL_COLOURS[hash % LABEL_COLOURS.length]!;
}

/**
 * Makes a function that renders one JSON log line as a readable line prefixed with a label
 * (the actor's name). Lines that are not JSON are printed as they are, behind the label.
 */
export function createLineFormatter(options: LineFormatterOptions): (line: string, label: string) => string {
  const pretty = prettyFactory({
    colorize: options.colour,
    ignore: "pid,hostname,instance,lvl",
    translateTime: "HH:MM:ss.l",
    singleLine: true,
  });
  let width = 8;
  return (line, label) => {
    width = Math.max(width, label.length);
    const padded = label.padEnd(width);
    const prefix = options.colour ? `\x1b[${colourFor(label)}m${padded}\x1b[0m │ ` : `${padded} │ `;
    let body = line;
    if (line.startsWith("{")) {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        // The prefix names the actor; a line about another actor (the hub's) keeps the field.
        if (entry.actor === label) delete entry.actor;
        body = pretty(entry).trimEnd();
      } catch {
        // not JSON after all: print it as it is
      }
    }
    return prefix + body;
  };
}
