import type { Instrument } from '../../../domain/outcomeMeasures';

/**
 * An instrument's items, each a group of native radio buttons under its own legend, so the
 * keyboard alone completes it: Tab from item to item, arrow keys to the answer. Used wherever a
 * measure is taken (a measure on its own, and those taken at closure).
 */
export function MeasureItems({
  instrument,
  answers,
  onAnswer,
}: {
  instrument: Instrument;
  answers: Record<string, number>;
  onAnswer: (item: string, answer: number) => void;
}) {
  return (
    <>
      {instrument.items.map((item) => (
        <fieldset key={`${instrument.id}-${item.id}`} className="field answers">
          <legend>
            {item.label}
            {item.unscored ? <span className="hint"> (not scored; may be left)</span> : null}
          </legend>
          {item.answers.map((answer, index) => (
            <label key={answer.label} className="check">
              <input
                type="radio"
                name={`${instrument.id}-${item.id}`}
                checked={answers[item.id] === index}
                onChange={() => onAnswer(item.id, index)}
              />
              {answer.label}
            </label>
          ))}
        </fieldset>
      ))}
    </>
  );
}
