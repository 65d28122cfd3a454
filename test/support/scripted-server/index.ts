// Public surface of the scripted model server used by the tests.
export { startScriptedServer, type ScriptedServer, type ScriptedServerOptions } from './server';
export { caseFileModel, loadScenarios, parseScenarioJson, ScenarioFileError } from './loadScenarios';
export type { Scenario, Turn, Faults, ScenarioMatch } from './scenarioSchema';
export type { RecordedRequest } from './requestLog';
export { DEFAULT_MODELS, type ModelSpec } from './models';
export { RESULT_MARKER } from './conversation';
export { OLLAMA_VERSION } from './ollamaRoutes';
