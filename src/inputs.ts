// Modules across src/ name inputs in their messages through this path; the
// names now come from the table of inputs, in inputs/.
export { INPUT_FLAGS, input, spellInputs, type InputName, type Spelling } from './inputs/names.js';
