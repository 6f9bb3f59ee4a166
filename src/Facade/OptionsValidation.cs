using System.Globalization;
using System.Text;
using AsyncTasks.Http;
using AsyncTasks.Providers;

namespace AsyncTasks;

/// <summary>Checks options and tells the user what to set, in configuration-key terms.</summary>
internal static class OptionsValidation
{
    private const string Section = AsyncTasksOptions.SectionName;

    public static IReadOnlyList<string> Problems(AsyncTasksOptions options)
    {
        var problems = new List<string>();
        foreach (var provider in ProviderNames.All)
        {
            var settings = options.For(provider);
            if (settings.BaseUrl is { } url)
            {
                if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
                {
                    problems.Add($"{Key(provider)}:BaseUrl must be an absolute http(s) URL, e.g. https://gateway.example.com/.");
                }
                else if (!string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment) || !string.IsNullOrEmpty(url.UserInfo))
                {
                    problems.Add($"{Key(provider)}:BaseUrl must not contain a query, fragment or user info.");
                }
                else if (url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback && !settings.AllowInsecureHttp)
                {
                    problems.Add(
                        $"{Key(provider)}:BaseUrl uses http:// on a non-loopback host, which would send the API key in clear text. " +
                        $"Use https://, or set {Key(provider)}:AllowInsecureHttp to true if you accept that.");
                }
            }

            if (settings.ApiKey is { } key && key.Any(char.IsControl))
            {
                problems.Add($"{Key(provider)}:ApiKey contains control characters (a line break?); set the key alone.");
            }

            else if (settings.ApiKey is { } wide && !Ascii.IsValid(wide))
            {
                // An HTTP header carries ASCII only: such a key could never be sent, and would fail each read as a transport error.
                problems.Add($"{Key(provider)}:ApiKey contains non-ASCII characters, which a request header cannot carry; check that the whole key was copied.");
            }

            if (settings.ApiKey is { } key2 && !string.IsNullOrEmpty(key2) && string.IsNullOrWhiteSpace(key2))
            {
                problems.Add($"{Key(provider)}:ApiKey is blank; set the key or leave it unset.");
            }

            if (settings.PollInterval is { } interval && interval <= TimeSpan.Zero)
            {
                problems.Add($"{Key(provider)}:PollInterval must be positive.");
            }
        }

        if (options.RequestTimeout <= TimeSpan.Zero && options.RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            problems.Add($"{Section}:RequestTimeout must be positive.");
        }

        if (options.MaxDownloadBytes <= 0)
        {
            problems.Add($"{Section}:MaxDownloadBytes must be positive.");
        }

        if (options.Answers is null)
        {
            problems.Add($"{Section}:Answers is null.");
        }
        else if (options.Answers.MaxBytes <= 0 || options.Answers.MaxOutputs <= 0 || options.Answers.MaxDepth is <= 0 or > 1000)
        {
            problems.Add($"{Section}:Answers:MaxBytes and MaxOutputs must be positive, MaxDepth between 1 and 1000.");
        }

        if (options.Retry is null)
        {
            problems.Add($"{Section}:Retry is null.");
        }
        else
        {
            if (options.Retry.MaxRetries is < 0 or > 100)
            {
                problems.Add($"{Section}:Retry:MaxRetries must be between 0 and 100.");
            }

            if (options.Retry.Delay <= TimeSpan.Zero || options.Retry.MaxDelay < options.Retry.Delay)
            {
                problems.Add($"{Section}:Retry:Delay must be positive and no larger than Retry:MaxDelay.");
            }

            if (options.Retry.MaxRetryAfter < TimeSpan.Zero)
            {
                problems.Add($"{Section}:Retry:MaxRetryAfter must not be negative.");
            }
        }

        if (options.Wait is null)
        {
            problems.Add($"{Section}:Wait is null.");
        }
        else
        {
            problems.AddRange(Problems(options.Wait, $"{Section}:Wait"));
        }

        return problems;
    }

    public static IEnumerable<string> Problems(WaitOptions wait, string prefix)
    {
        if (wait.Timeout <= TimeSpan.Zero)
        {
            yield return $"{prefix}:Timeout must be positive.";
        }

        if (wait.InitialInterval is { } initial && initial <= TimeSpan.Zero)
        {
            yield return $"{prefix}:InitialInterval must be positive.";
        }

        if (wait.MaxInterval <= TimeSpan.Zero)
        {
            yield return $"{prefix}:MaxInterval must be positive.";
        }

        if (double.IsNaN(wait.Multiplier) || wait.Multiplier < 1 || wait.Multiplier > 10)
        {
            yield return $"{prefix}:Multiplier must be between 1 and 10.";
        }

        if (double.IsNaN(wait.Jitter) || wait.Jitter < 0 || wait.Jitter >= 1)
        {
            yield return $"{prefix}:Jitter must be at least 0 and below 1.";
        }
    }

    public static void ThrowIfInvalid(AsyncTasksOptions options)
    {
        var problems = Problems(options);
        if (problems.Count > 0)
        {
            throw new ArgumentException(
                "Invalid AsyncTasks options: " + string.Join(" ", problems), nameof(options));
        }
    }

    public static void ThrowIfInvalid(WaitOptions wait, string parameterName)
    {
        var problems = Problems(wait, "WaitOptions").ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid wait options: " + string.Join(" ", problems), parameterName);
        }
    }

    /// <summary>A provider can be called only with a key and a base URL.</summary>
    public static void ThrowIfUnusable(AsyncTasksOptions options, Provider provider)
    {
        var settings = options.For(provider);
        if ((settings.BaseUrl ?? ProviderRegistry.Get(provider).DefaultBaseUrl) is null)
        {
            throw new InvalidOperationException(
                $"No base URL is configured for {provider.GetName()}, and it has no default: set {Key(provider)}:BaseUrl to your gateway's URL.");
        }

        if (!settings.HasApiKey)
        {
            throw new InvalidOperationException(
                $"No API key is configured for {provider.GetName()}: set {Key(provider)}:ApiKey.");
        }
    }

    public static Uri BaseUrl(AsyncTasksOptions options, Provider provider) =>
        BaseUrlOrNull(options, provider)
        ?? throw new InvalidOperationException($"No base URL is configured for {provider.GetName()}: set {Key(provider)}:BaseUrl.");

    public static Uri? BaseUrlOrNull(AsyncTasksOptions options, Provider provider)
    {
        var url = options.For(provider).BaseUrl ?? ProviderRegistry.Get(provider).DefaultBaseUrl;
        return url is null ? null : HttpPipeline.NormaliseBase(url);
    }

    /// <summary>Each configured key with the one origin it may go to.</summary>
    public static IReadOnlyList<KeyBinding> KeyBindings(AsyncTasksOptions options) =>
        ProviderNames.All
            .Where(p => options.For(p).HasApiKey && BaseUrlOrNull(options, p) is not null)
            .Select(p => new KeyBinding(
                p,
                BaseUrlOrNull(options, p)!,
                ProviderRegistry.Get(p).KeyScheme,
                options.For(p).ApiKey!))
            .ToList();

    private static string Key(Provider provider) =>
        string.Create(CultureInfo.InvariantCulture, $"{Section}:{provider}");
}
