// Hangfire's configuration (JobStorage.Current, the global filters) is process-wide: one host at a time.
[assembly: NonParallelizable]
[assembly: LevelOfParallelism(1)]
