using System.Text.Json;
using AsyncTasks.Cli.Tests.Support;
using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Cli.Tests;

/// <summary>Options, environment variables, defaults and <c>providers</c>.</summary>
public sealed class ConfigurationTests
{
    private static readonly string DuomiId = SpecExamples.TaskId(Provider.Duomi);

    /// <summary>Every provider's name, in order (the names themselves are checked in AsyncTasks.Tests' TaskRefTests).</summary>
    private static readonly string[] Names = [.. ProviderNames.All.Select(p => p.GetName())];

    [TestCase(Provider.Mountsea, "ASYNCTASKS_MOUNTSEA_API_KEY", "ASYNCTASKS_MOUNTSEA_BASE_URL")]
    [TestCase(Provider.Duomi, "ASYNCTASKS_DUOMI_API_KEY", "ASYNCTASKS_DUOMI_BASE_URL")]
    [TestCase(Provider.Kexiang, "ASYNCTASKS_KEXIANG_API_KEY", "ASYNCTASKS_KEXIANG_BASE_URL")]
    [TestCase(Provider.TencentVod, "ASYNCTASKS_TENCENT_VOD_API_KEY", "ASYNCTASKS_TENCENT_VOD_BASE_URL")]
    [TestCase(Provider.SkyEngine, "ASYNCTASKS_SKYENGINE_API_KEY", "ASYNCTASKS_SKYENGINE_BASE_URL")]
    public void VariableNames(Provider provider, string key, string baseUrl)
    {
        Assert.That(ProviderConfiguration.ApiKeyVariable(provider), Is.EqualTo(key));
        Assert.That(ProviderConfiguration.BaseUrlVariable(provider), Is.EqualTo(baseUrl));
    }

    [Test]
    public void DefaultBaseUrlsAreTheSpecsServers()
    {
        foreach (var provider in ProviderNames.All)
        {
            var server = (string?)SpecExamples.For(provider).Root["servers"]?[0]?["url"];
            var expected = server is null || server.Contains('{', StringComparison.Ordinal) ? null : server.TrimEnd('/') + "/";
            Assert.That(ProviderConfiguration.DefaultBaseUrl(provider), Is.EqualTo(expected), provider.GetName());
        }
    }

    [Test]
    public async Task TheEnvironmentIsEnough()
    {
        await SpecExamples.ServeAsync(Provider.Duomi, 200, SpecExamples.Example(Provider.Duomi, "succeeded").Value);
        var environment = new Dictionary<string, string>
        {
            ["ASYNCTASKS_DUOMI_API_KEY"] = "env-key-0123456789",
            ["ASYNCTASKS_DUOMI_BASE_URL"] = WireMockServer.Shared.BaseUri.ToString(),
        };

        var result = await CliRunner.RunAsync(["get", "duomi", DuomiId], environment);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        Assert.That((await WireMockServer.Shared.GetRequestsAsync()).Single().Header("Authorization"), Is.EqualTo("env-key-0123456789"));
    }

    [Test]
    public async Task AnOptionWinsOverTheEnvironment()
    {
        await SpecExamples.ServeAsync(Provider.Duomi, 200, SpecExamples.Example(Provider.Duomi, "succeeded").Value);
        var environment = new Dictionary<string, string>
        {
            ["ASYNCTASKS_DUOMI_API_KEY"] = "env-key-0123456789",
            ["ASYNCTASKS_DUOMI_BASE_URL"] = "https://gateway.invalid/",
        };

        var result = await CliRunner.RunAsync(["get", "duomi", DuomiId, .. SpecExamples.Target()], environment);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        Assert.That((await WireMockServer.Shared.GetRequestsAsync()).Single().Header("Authorization"), Is.EqualTo(SpecExamples.Key));
    }

    [Test]
    public async Task AMalformedBaseUrlInTheEnvironmentNamesTheVariable()
    {
        var environment = new Dictionary<string, string>
        {
            ["ASYNCTASKS_KEXIANG_API_KEY"] = "env-key-0123456789",
            ["ASYNCTASKS_KEXIANG_BASE_URL"] = "kexiang.example.com",
        };

        var result = await CliRunner.RunAsync(["get", "kexiang", "33201"], environment);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(result.Stderr, Does.Contain("ASYNCTASKS_KEXIANG_BASE_URL 'kexiang.example.com' is not an absolute http(s) URL"));
    }

    [Test]
    public async Task ProvidersListsEveryProviderWithItsBaseUrlAndKeyState()
    {
        var environment = new Dictionary<string, string>
        {
            ["ASYNCTASKS_DUOMI_API_KEY"] = "env-key-0123456789",
            ["ASYNCTASKS_TENCENT_VOD_BASE_URL"] = "https://vod-gateway.example.com/",
            ["ASYNCTASKS_KEXIANG_BASE_URL"] = "http://kexiang.example.com/",
        };

        var result = await CliRunner.RunAsync(["providers", "--json"], environment);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        var providers = JsonShape.ParseSingleObject(result.Stdout).GetProperty("providers").EnumerateArray()
            .ToDictionary(p => p.GetProperty("provider").GetString()!);
        Assert.That(providers.Keys, Is.EqualTo(Names));
        Assert.Multiple(() =>
        {
            Assert.That(providers["mountsea"].GetProperty("baseUrl").GetString(), Is.EqualTo("https://api.mountsea.ai/"));
            Assert.That(providers["mountsea"].GetProperty("baseUrlSource").GetString(), Is.EqualTo("default"));
            Assert.That(providers["mountsea"].GetProperty("apiKeyConfigured").GetBoolean(), Is.False);
            Assert.That(providers["duomi"].GetProperty("apiKeyConfigured").GetBoolean(), Is.True);
            Assert.That(providers["tencent-vod"].GetProperty("baseUrl").GetString(), Is.EqualTo("https://vod-gateway.example.com/"));
            Assert.That(providers["tencent-vod"].GetProperty("baseUrlSource").GetString(), Is.EqualTo("environment"));
            Assert.That(providers["skyengine"].GetProperty("problem").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(providers["kexiang"].GetProperty("problem").GetString(), Does.Contain("clear text"));
        });

        var text = await CliRunner.RunAsync(["providers"], new Dictionary<string, string>());
        Assert.That(text.ExitCode, Is.EqualTo(ExitCodes.Success));
        Assert.That(text.Stdout, Does.Contain("tencent-vod").And.Contain("(none: required)").And.Contain("not configured").And.Contain("https://duomiapi.com/ (default)"));
    }
}
