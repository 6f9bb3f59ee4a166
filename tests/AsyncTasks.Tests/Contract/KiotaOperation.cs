using System.Reflection;
using AsyncTasks.Tests.Infrastructure.Specs;
using Microsoft.Kiota.Abstractions;

namespace AsyncTasks.Tests.Contract;

/// <summary>
/// Calls one spec operation through its Kiota client, found and walked by reflection: the root client named by the
/// generated assembly's <c>AsyncTasks.KiotaClient:&lt;spec file&gt;</c> metadata (build/Kiota.targets), then one
/// request builder per path segment (a property for a literal segment, the indexer for a <c>{parameter}</c>), then
/// the method's <c>GetAsync</c>-like call with the query and header parameters set from their examples.
/// </summary>
internal static class KiotaOperation
{
    /// <summary>The assembly metadata key prefix the build writes for each spec.</summary>
    public const string MetadataPrefix = "AsyncTasks.KiotaClient:";

    /// <summary>The Kiota root client class of <paramref name="spec"/>; fails with a clear message when there is none.</summary>
    public static Type ClientTypeFor(SpecDocument spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var assembly = typeof(AsyncTasks.Generated.ApiException).Assembly;
        var typeName = assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => string.Equals(a.Key, MetadataPrefix + spec.FileName, StringComparison.OrdinalIgnoreCase))?.Value
            ?? throw new InvalidOperationException($"The generated assembly names no Kiota client for {spec.FileName} (metadata {MetadataPrefix}{spec.FileName}).");
        return assembly.GetType(typeName, throwOnError: false)
            ?? throw new InvalidOperationException($"The generated assembly has no type {typeName} (Kiota client of {spec.FileName}).");
    }

    /// <summary>Sends <paramref name="operation"/> through its Kiota client on <paramref name="adapter"/> and returns the model read (exceptions unwrapped).</summary>
    public static async Task<object?> InvokeAsync(SpecOperation operation, IRequestAdapter adapter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var builder = Activator.CreateInstance(ClientTypeFor(operation.Spec), adapter)!;
        foreach (var segment in operation.Path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            builder = Step(builder, segment, operation);
        }

        var methodName = operation.Method[..1] + operation.Method[1..].ToLowerInvariant() + "Async";
        var method = builder.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(m => m.Name == methodName && m.GetParameters() is [{ ParameterType.IsGenericType: true }, { ParameterType: var last }] && last == typeof(CancellationToken))
            ?? throw new InvalidOperationException($"{builder.GetType().FullName} has no {methodName}(configuration, CancellationToken) for {operation}.");
        var queryType = method.GetParameters()[0].ParameterType.GetGenericArguments()[0].GetGenericArguments()[0];
        var configure = typeof(KiotaOperation).GetMethod(nameof(Configure), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(queryType)
            .Invoke(null, [operation]);

        Task task;
        try
        {
            task = (Task)method.Invoke(builder, [configure, cancellationToken])!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }

        await task.ConfigureAwait(false);
        return task.GetType().GetProperty(nameof(Task<object>.Result))!.GetValue(task);
    }

    private static object Step(object builder, string segment, SpecOperation operation)
    {
        var type = builder.GetType();
        if (segment is ['{', .. var name, '}'])
        {
            var parameter = operation.Parameters.FirstOrDefault(p => p.Location == SpecParameterLocation.Path && p.Name == name)
                ?? throw new InvalidOperationException($"{operation}: path parameter '{name}' is not declared.");
            var indexer = type.GetProperties().FirstOrDefault(p => p.GetIndexParameters() is [{ ParameterType: var t }] && t == typeof(string))
                ?? throw new InvalidOperationException($"{type.FullName} has no string indexer for '{segment}' of {operation}.");
            return indexer.GetValue(builder, [parameter.Example ?? throw new InvalidOperationException($"{operation}: path parameter '{name}' has no example.")])!;
        }

        // Kiota names a segment's property after it, with a suffix where the name would clash ("get" gives GetPath).
        var wanted = GeneratedOperation.Normalize(segment);
        var property = type.GetProperties()
            .Where(p => p.GetIndexParameters().Length == 0 && typeof(BaseRequestBuilder).IsAssignableFrom(p.PropertyType))
            .FirstOrDefault(p => GeneratedOperation.Normalize(p.Name) is var n && (n == wanted || n == wanted + "path"))
            ?? throw new InvalidOperationException(
                $"{type.FullName} has no request builder property for segment '{segment}' of {operation} " +
                $"({string.Join(", ", type.GetProperties().Select(p => p.Name))}).");
        return property.GetValue(builder)!;
    }

    private static Action<RequestConfiguration<T>> Configure<T>(SpecOperation operation)
        where T : class, new() => configuration =>
        {
            foreach (var parameter in operation.Parameters.Where(p => p.Example is not null))
            {
                if (parameter.Location == SpecParameterLocation.Header)
                {
                    configuration.Headers.Add(parameter.Name, parameter.Example!);
                }
                else if (parameter.Location == SpecParameterLocation.Query)
                {
                    var property = typeof(T).GetProperties().FirstOrDefault(p =>
                            p.GetCustomAttribute<QueryParameterAttribute>()?.TemplateName == parameter.Name
                            || GeneratedOperation.Normalize(p.Name) == GeneratedOperation.Normalize(parameter.Name))
                        ?? throw new InvalidOperationException($"{typeof(T).FullName} has no property for query parameter '{parameter.Name}' of {operation}.");
                    property.SetValue(
                        configuration.QueryParameters,
                        GeneratedOperation.ConvertExample(parameter.Example!, property.PropertyType, $"{operation} query parameter '{parameter.Name}'"));
                }
            }
        };
}
