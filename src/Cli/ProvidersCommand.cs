using System.CommandLine;
using Spectre.Console;

namespace AsyncTasks.Cli;

/// <summary><c>asynctasks providers</c>: each provider, its base URL and whether a key is configured (never the key).</summary>
internal static class ProvidersCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliConsole console)
    {
        var command = new Command("providers", "List the providers with the base URL each would use and whether an API key is configured (the key is never shown).");
        command.SetAction(CliApp.Guarded(console, (run, _) =>
        {
            var rows = ProviderNames.All
                .Select(provider => ProviderConfiguration.Resolve(provider, null, null, run.Console.GetEnvironmentVariable))
                .ToList();
            foreach (var row in rows)
            {
                run.AddSecrets(row);
            }

            if (run.Json)
            {
                run.WriteResult(JsonOutput.Build(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteStartArray("providers");
                    foreach (var row in rows)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("provider", row.Provider.GetName());
                        JsonOutput.WriteStringOrNull(writer, "baseUrl", row.BaseUrlText);
                        writer.WriteString("baseUrlSource", ProviderConfiguration.Describe(row.BaseUrlSource));
                        writer.WriteBoolean("apiKeyConfigured", row.HasApiKey);
                        writer.WriteString("apiKeyVariable", ProviderConfiguration.ApiKeyVariable(row.Provider));
                        writer.WriteString("baseUrlVariable", ProviderConfiguration.BaseUrlVariable(row.Provider));
                        JsonOutput.WriteStringOrNull(writer, "problem", Problem(row));
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }));
                return Task.FromResult(ExitCodes.Success);
            }

            var table = new Table().Border(TableBorder.Simple);
            table.AddColumn("provider");
            table.AddColumn("base URL");
            table.AddColumn("API key");
            table.AddColumn("set with");
            foreach (var row in rows)
            {
                var url = row.BaseUrlText is null
                    ? "(none: required)"
                    : $"{row.BaseUrlText} ({ProviderConfiguration.Describe(row.BaseUrlSource)})";
                if (Problem(row) is { } problem)
                {
                    url += $" - {problem}";
                }

                table.AddRow(
                    Markup.Escape(row.Provider.GetName()),
                    Markup.Escape(run.Printable(url)),
                    row.HasApiKey ? "configured" : "not configured",
                    Markup.Escape($"{ProviderConfiguration.ApiKeyVariable(row.Provider)}, {ProviderConfiguration.BaseUrlVariable(row.Provider)}"));
            }

            // Drawn into a string first, so that the table goes out through the same masking as every other result.
            using var drawn = new StringWriter();
            var ansi = CliConsole.CreateAnsiConsole(drawn, run.Console.OutIsTerminal, widthWhenRedirected: 160);
            if (run.Console.OutIsTerminal)
            {
                ansi.Profile.Width = CliConsole.TerminalWidth();
            }

            ansi.Write(table);
            run.WriteResult(drawn.ToString());
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static string? Problem(ProviderSettings settings) =>
        settings.BaseUrlText is { } url && ProviderConfiguration.CheckBaseUrl(url) is { } problem
            ? $"{settings.BaseUrlOrigin} {problem}"
            : null;
}
