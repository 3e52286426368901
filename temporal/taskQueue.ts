/**
 * The one task queue every journey runs on: the API starts journeys on it and the worker polls
 * it. Renaming it strands every open journey on the old name until a worker polls that, so it
 * does not change.
 */
export const JOURNEY_TASK_QUEUE = 'carepath-journeys';
