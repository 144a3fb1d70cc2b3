// Inline citation markers in an answer: "… in room 4B [1][2]." → text and clickable [n] pieces.

export type AnswerPiece = { text: string } | { n: number; text: string };

/** Splits `text` at `[n]` and `[n, m]` markers whose numbers are in `known`. */
export function splitCitations(text: string, known: ReadonlySet<number>): AnswerPiece[] {
  const pieces: AnswerPiece[] = [];
  const re = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;
  let last = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const numbers = m[1].split(',').map((s) => parseInt(s.trim(), 10));
    if (!numbers.every((n) => known.has(n))) continue;
    if (m.index > last) pieces.push({ text: text.slice(last, m.index) });
    for (const n of numbers) pieces.push({ n, text: `[${n}]` });
    last = m.index + m[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last) });
  return pieces;
}

/** Is a document id a mail message ("m12") rather than a note ("n3")? */
export function isMessageId(id: string): boolean {
  return /^m\d+$/.test(id);
}
