namespace AsyncTasks.Tests.Client;

/// <summary>
/// Every invalid setting is refused when the client is created, with one sentence per problem that names the
/// configuration key to change; values on the boundary of each range are accepted.
/// </summary>
[TestFixture]
[Category("Client")]
internal sealed class OptionsValidationMessageTests
{
    private const string Key = "sk-test-VALIDATION-0000";

    public static IEnumerable<TestCaseData> InvalidSettings()
    {
        yield return Case(
            "a base URL with a fragment",
            o => o.For(Provider.Kexiang).BaseUrl = new Uri("https://gateway.example.com/#top"),
            "AsyncTasks:Kexiang:BaseUrl must not contain a query, fragment or user info.");
        yield return Case(
            "a base URL with a query",
            o => o.For(Provider.Kexiang).BaseUrl = new Uri("https://gateway.example.com/?region=1"),
            "AsyncTasks:Kexiang:BaseUrl must not contain a query, fragment or user info.");
        yield return Case("a zero poll interval", o => o.For(Provider.Mountsea).PollInterval = TimeSpan.Zero, "AsyncTasks:Mountsea:PollInterval must be positive.");
        yield return Case(
            "a negative poll interval",
            o => o.For(Provider.SkyEngine).PollInterval = TimeSpan.FromSeconds(-1),
            "AsyncTasks:SkyEngine:PollInterval must be positive.");
        yield return Case("a zero request timeout", o => o.RequestTimeout = TimeSpan.Zero, "AsyncTasks:RequestTimeout must be positive.");
        yield return Case("no download size", o => o.MaxDownloadBytes = 0, "AsyncTasks:MaxDownloadBytes must be positive.");
        yield return Case("a null answers section", o => o.Answers = null!, "AsyncTasks:Answers is null.");
        foreach (var (what, configure) in new (string, Action<AsyncTasksOptions>)[]
        {
            ("no answer bytes", o => o.Answers.MaxBytes = 0),
            ("no outputs per answer", o => o.Answers.MaxOutputs = 0),
            ("a zero JSON depth", o => o.Answers.MaxDepth = 0),
            ("a JSON depth above 1000", o => o.Answers.MaxDepth = 1001),
        })
        {
            yield return Case(what, configure, "AsyncTasks:Answers:MaxBytes and MaxOutputs must be positive, MaxDepth between 1 and 1000.");
        }

        yield return Case("a null retry section", o => o.Retry = null!, "AsyncTasks:Retry is null.");
        yield return Case("negative retries", o => o.Retry.MaxRetries = -1, "AsyncTasks:Retry:MaxRetries must be between 0 and 100.");
        yield return Case("101 retries", o => o.Retry.MaxRetries = 101, "AsyncTasks:Retry:MaxRetries must be between 0 and 100.");
        yield return Case(
            "a zero retry delay",
            o => o.Retry.Delay = TimeSpan.Zero,
            "AsyncTasks:Retry:Delay must be positive and no larger than Retry:MaxDelay.");
        yield return Case(
            "a retry delay above the largest delay",
            o =>
            {
                o.Retry.Delay = TimeSpan.FromSeconds(10);
                o.Retry.MaxDelay = TimeSpan.FromSeconds(9);
            },
            "AsyncTasks:Retry:Delay must be positive and no larger than Retry:MaxDelay.");
        yield return Case(
            "a negative longest Retry-After",
            o => o.Retry.MaxRetryAfter = TimeSpan.FromSeconds(-1),
            "AsyncTasks:Retry:MaxRetryAfter must not be negative.");
        yield return Case("a null wait section", o => o.Wait = null!, "AsyncTasks:Wait is null.");
        yield return Case("a zero wait timeout", o => o.Wait.Timeout = TimeSpan.Zero, "AsyncTasks:Wait:Timeout must be positive.");
        yield return Case(
            "a zero first interval",
            o => o.Wait.InitialInterval = TimeSpan.Zero,
            "AsyncTasks:Wait:InitialInterval must be positive.");
        yield return Case("a zero longest interval", o => o.Wait.MaxInterval = TimeSpan.Zero, "AsyncTasks:Wait:MaxInterval must be positive.");
        yield return Case("a multiplier below 1", o => o.Wait.Multiplier = 0.99, "AsyncTasks:Wait:Multiplier must be between 1 and 10.");
        yield return Case("a multiplier above 10", o => o.Wait.Multiplier = 10.01, "AsyncTasks:Wait:Multiplier must be between 1 and 10.");
        yield return Case("a NaN multiplier", o => o.Wait.Multiplier = double.NaN, "AsyncTasks:Wait:Multiplier must be between 1 and 10.");
        yield return Case("a negative jitter", o => o.Wait.Jitter = -0.01, "AsyncTasks:Wait:Jitter must be at least 0 and below 1.");
        yield return Case("a jitter of 1", o => o.Wait.Jitter = 1, "AsyncTasks:Wait:Jitter must be at least 0 and below 1.");
        yield return Case("a NaN jitter", o => o.Wait.Jitter = double.NaN, "AsyncTasks:Wait:Jitter must be at least 0 and below 1.");
    }

    public static IEnumerable<TestCaseData> BoundaryValues()
    {
        yield return Boundary("100 retries", o => o.Retry.MaxRetries = 100);
        yield return Boundary("no retries", o => o.Retry.MaxRetries = 0);
        yield return Boundary(
            "a retry delay equal to the largest delay",
            o =>
            {
                o.Retry.Delay = TimeSpan.FromSeconds(5);
                o.Retry.MaxDelay = TimeSpan.FromSeconds(5);
            });
        yield return Boundary("a zero longest Retry-After", o => o.Retry.MaxRetryAfter = TimeSpan.Zero);
        yield return Boundary("an infinite request timeout", o => o.RequestTimeout = Timeout.InfiniteTimeSpan);
        yield return Boundary("a multiplier of 1", o => o.Wait.Multiplier = 1);
        yield return Boundary("a multiplier of 10", o => o.Wait.Multiplier = 10);
        yield return Boundary("no jitter", o => o.Wait.Jitter = 0);
        yield return Boundary("a jitter just below 1", o => o.Wait.Jitter = 0.99);
        yield return Boundary("a tiny longest interval", o => o.Wait.MaxInterval = TimeSpan.FromTicks(1));
        yield return Boundary("one byte, one output and one level per answer", o =>
        {
            o.Answers.MaxBytes = 1;
            o.Answers.MaxOutputs = 1;
            o.Answers.MaxDepth = 1;
        });
        yield return Boundary("a JSON depth of 1000", o => o.Answers.MaxDepth = 1000);
    }

    [TestCaseSource(nameof(InvalidSettings))]
    public void AnInvalidSettingIsRefusedNamingIt(Action<AsyncTasksOptions> configure, string problem)
    {
        // Arrange
        var options = ValidOptions();
        configure(options);

        // Act
        var exception = Assert.Throws<ArgumentException>(() => new TaskClient(options).Dispose());

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.ParamName, Is.EqualTo("options"));
            Assert.That(exception.Message, Is.EqualTo($"Invalid AsyncTasks options: {problem} (Parameter 'options')"));
        }
    }

    [TestCaseSource(nameof(BoundaryValues))]
    public void AValueOnTheBoundaryIsAccepted(Action<AsyncTasksOptions> configure)
    {
        // Arrange
        var options = ValidOptions();
        configure(options);

        // Act, Assert
        Assert.That(() => new TaskClient(options).Dispose(), Throws.Nothing);
    }

    [Test]
    public void EveryProblemIsListedInOneMessageInTheOrderOfTheSettings()
    {
        // Arrange
        var options = ValidOptions();
        options.For(Provider.Mountsea).PollInterval = TimeSpan.Zero;
        options.For(Provider.TencentVod).ApiKey = "  ";
        options.Retry.MaxRetries = 101;
        options.Wait.Timeout = TimeSpan.Zero;
        options.Wait.Jitter = 2;

        // Act
        var exception = Assert.Throws<ArgumentException>(() => new TaskClient(options).Dispose());

        // Assert
        Assert.That(
            exception.Message,
            Is.EqualTo(
                "Invalid AsyncTasks options: AsyncTasks:Mountsea:PollInterval must be positive. "
                    + "AsyncTasks:TencentVod:ApiKey is blank; set the key or leave it unset. "
                    + "AsyncTasks:Retry:MaxRetries must be between 0 and 100. "
                    + "AsyncTasks:Wait:Timeout must be positive. "
                    + "AsyncTasks:Wait:Jitter must be at least 0 and below 1. (Parameter 'options')"));
    }

    [Test]
    public void AKeyAHeaderCannotCarryIsRefusedWithoutShowingIt()
    {
        // A line break (header injection) and non-ASCII characters (an accented letter, a typographic dash, as a key
        // pasted from a document may carry): each refused by name, the key never shown.
        (Provider Provider, string Key, string Problem)[] cases =
        [
            (Provider.Duomi, "sk-test-HIDDEN\r\nX-Other: 1", "AsyncTasks:Duomi:ApiKey contains control characters (a line break?); set the key alone."),
            (Provider.Kexiang, "sk-test-HIDDEN-clé\u2013x", "AsyncTasks:Kexiang:ApiKey contains non-ASCII characters, which a request header cannot carry; check that the whole key was copied."),
        ];
        foreach (var (provider, key, problem) in cases)
        {
            var options = ValidOptions();
            options.For(provider).ApiKey = key;

            var exception = Assert.Throws<ArgumentException>(() => new TaskClient(options).Dispose());

            Assert.That(exception.Message, Is.EqualTo($"Invalid AsyncTasks options: {problem} (Parameter 'options')"));
        }
    }

    /// <summary>Every provider on an https gateway with a key: valid as it stands.</summary>
    private static AsyncTasksOptions ValidOptions()
    {
        var options = new AsyncTasksOptions();
        foreach (var provider in ProviderNames.All)
        {
            options.For(provider).BaseUrl = new Uri("https://gateway.example.com/");
            options.For(provider).ApiKey = Key;
        }

        return options;
    }

    private static TestCaseData Case(string name, Action<AsyncTasksOptions> configure, string problem) =>
        new TestCaseData(configure, problem).SetName($"{{m}}({name})");

    private static TestCaseData Boundary(string name, Action<AsyncTasksOptions> configure) =>
        new TestCaseData(configure).SetName($"{{m}}({name})");
}
