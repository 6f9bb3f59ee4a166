// Every test that talks to WireMock shares one server (one stub set, one request journal), and the in-process
// runs share the console of nothing but their own writers: the tests run one at a time.
[assembly: NonParallelizable]
[assembly: LevelOfParallelism(1)]
