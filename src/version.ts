// pod's version: kept equal to package.json's by a unit test (the bundle carries no package.json).
export const VERSION = "0.3.0";
