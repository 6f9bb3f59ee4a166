using System.Diagnostics.CodeAnalysis;

namespace AsyncTasks;

/// <summary>
/// Identifies one task at one provider. Its text form, <c>provider:id</c> (for example <c>duomi:abc</c>), can be
/// stored and turned back into an equal <see cref="TaskRef"/> with <see cref="Parse"/> in any process.
/// </summary>
/// <remarks>
/// For <see cref="Provider.SkyEngine"/> the id is the full operation name returned by the submit call,
/// <c>projects/{project}/locations/{location}/publishers/{publisher}/models/{model}/operations/{operation}</c>.
/// </remarks>
public sealed record TaskRef
{
    /// <summary>Creates a reference to task <paramref name="id"/> at <paramref name="provider"/>.</summary>
    /// <param name="provider">The provider that runs the task.</param>
    /// <param name="id">The provider's task id, exactly as it returned it.</param>
    /// <exception cref="ArgumentException">The id is empty or white space, or the provider is not defined.</exception>
    public TaskRef(Provider provider, string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (!Enum.IsDefined(provider))
        {
            throw new ArgumentException($"{(int)provider} is not a defined provider.", nameof(provider));
        }

        Provider = provider;
        Id = id;
    }

    /// <summary>The provider that runs the task.</summary>
    public Provider Provider { get; }

    /// <summary>The provider's task id.</summary>
    public string Id { get; }

    /// <summary>The text form <c>provider:id</c>, e.g. <c>duomi:abc</c>.</summary>
    /// <returns>The text form, readable by <see cref="Parse"/>.</returns>
    public override string ToString() => $"{Provider.GetName()}:{Id}";

    /// <summary>Reads the text form <c>provider:id</c> written by <see cref="ToString"/>.</summary>
    /// <param name="text">The text form.</param>
    /// <returns>The task reference.</returns>
    /// <exception cref="FormatException">The text is not <c>provider:id</c> with a known provider and a non-empty id.</exception>
    public static TaskRef Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var task)
            ? task
            : throw new FormatException(
                $"'{text}' is not a task reference. Expected 'provider:id' with provider one of {string.Join(", ", ProviderNames.All.Select(p => p.GetName()))}.");
    }

    /// <summary>Tries to read the text form <c>provider:id</c>.</summary>
    /// <param name="text">The text form.</param>
    /// <param name="task">The task reference, when the text is valid.</param>
    /// <returns><see langword="true"/> when the text is a valid task reference.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out TaskRef? task)
    {
        task = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }

        if (!ProviderNames.TryParse(text[..colon], out var provider))
        {
            return false;
        }

        var id = text[(colon + 1)..];
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }

        task = new TaskRef(provider, id);
        return true;
    }
}
