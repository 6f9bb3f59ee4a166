// Every test of this assembly that talks to WireMock shares one server (one stub set, one request journal),
// so the tests run one at a time.
[assembly: NonParallelizable]
[assembly: LevelOfParallelism(1)]
