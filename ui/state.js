// What more than one screen reads or changes. Everything else a screen keeps to itself, in its
// own module.
export const state = {
  /** The backend's status (account, settings, who "me" is), as last received. */
  status: null,
  /** The agents as loaded, sorted by name. */
  agents: [],
  /** Whether the agent and caller ID lists are loaded for the current account and mode. */
  listsLoaded: false,
  /** Shown under the form once the lists have loaded (e.g. the connection check's summary). */
  afterLoad: null,
};

/** A loaded agent by ID, or undefined. */
export const agentById = (id) => state.agents.find((a) => a.id === id);
