using AsyncTasks.Http;
using AsyncTasks.Providers;
using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// What every provider fixture does: answer any request with one body from the shared WireMock server, read
/// the task once through the adapter over real HTTP, then look at what went over the wire.
/// </summary>
internal static class AdapterHarness
{
    /// <summary>The bound of one adapter call.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    public static WireMockServer Server => WireMockServer.Shared;

    /// <summary>Empties stubs and journal; call from each fixture's [SetUp].</summary>
    public static Task ResetAsync() => Server.ResetAsync();

    /// <summary>Answers every request with <paramref name="json"/> (exactly as given) and <paramref name="status"/>.</summary>
    public static Task AnswerAsync(string json, int status = 200) =>
        Server.AddStubAsync(
            WireMockStub.ForAnyMethod(WireMockUrlMatch.UrlPattern, ".*")
                .RespondingWith(WireMockResponse.Json(status, json)));

    /// <summary>
    /// Reads task <paramref name="id"/> once through <paramref name="adapter"/>, with the WireMock root as base address,
    /// through the answer handler as in the client (it holds the body for RawResponse).
    /// </summary>
    public static async Task<TaskSnapshot> GetAsync(ProviderAdapter adapter, string id)
    {
        var limits = new AnswerLimits();
        using var http = new HttpClient(new ApiAnswerHandler(adapter.Provider, KeyMask.None, limits.MaxBytes, limits.MaxDepth) { InnerHandler = new SocketsHttpHandler() })
        {
            BaseAddress = Server.BaseUri,
            Timeout = CallTimeout,
        };
        using var timeout = new CancellationTokenSource(CallTimeout);
        return await adapter.GetAsync(new TaskRef(adapter.Provider, id), http, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Answers with <paramref name="json"/>, then reads task <paramref name="id"/>.</summary>
    public static async Task<TaskSnapshot> AnswerAndGetAsync(ProviderAdapter adapter, string id, string json, int status = 200)
    {
        await AnswerAsync(json, status).ConfigureAwait(false);
        return await GetAsync(adapter, id).ConfigureAwait(false);
    }

    /// <summary>The one request WireMock received; fails when there was not exactly one.</summary>
    public static async Task<LoggedRequest> SingleRequestAsync()
    {
        var journal = await Server.GetRequestsAsync().ConfigureAwait(false);
        Assert.That(journal, Has.Count.EqualTo(1), $"requests received: {string.Join("; ", journal)}");
        return journal[0];
    }

    /// <summary>Every request WireMock received.</summary>
    public static Task<IReadOnlyList<LoggedRequest>> JournalAsync() => Server.GetRequestsAsync();
}
