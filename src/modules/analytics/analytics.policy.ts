/** Who reads a community's dashboard and its forecasts (of the communities they serve). */
export const DASHBOARD_READERS = ['manager', 'admin', 'auditor', 'dispatcher'] as const;
