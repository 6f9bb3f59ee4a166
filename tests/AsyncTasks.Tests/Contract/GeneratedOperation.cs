using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Runtime.Serialization;
using AsyncTasks.Tests.Infrastructure.Specs;

namespace AsyncTasks.Tests.Contract;

/// <summary>
/// The generated client method of one spec operation, found by reflection (<c>operationId</c> + "Async", the
/// overload with a <see cref="CancellationToken"/>), and the arguments the spec's parameter examples give it.
/// </summary>
internal sealed class GeneratedOperation
{
    private GeneratedOperation(SpecOperation operation, Type clientType, MethodInfo method)
    {
        Operation = operation;
        ClientType = clientType;
        Method = method;
    }

    /// <summary>The spec operation.</summary>
    public SpecOperation Operation { get; }

    /// <summary>The generated client class.</summary>
    public Type ClientType { get; }

    /// <summary>The generated method.</summary>
    public MethodInfo Method { get; }

    /// <summary>Finds the generated method of <paramref name="operation"/>; throws with the candidates when there is none.</summary>
    public static GeneratedOperation For(SpecOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var clientType = SpecCatalog.ClientTypeFor(operation.Spec);
        var operationId = operation.OperationId
            ?? throw new InvalidOperationException($"{operation} has no operationId, so its generated method cannot be named.");

        var wanted = Normalize(operationId) + "async";
        var methods = clientType.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => Normalize(m.Name) == wanted && typeof(Task).IsAssignableFrom(m.ReturnType))
            .ToList();
        var method = methods.FirstOrDefault(m => m.GetParameters() is [.., { } last] && last.ParameterType == typeof(CancellationToken))
            ?? throw new InvalidOperationException(
                $"{clientType.FullName} has no method for operationId '{operationId}' ({operation}) taking a CancellationToken. " +
                $"Its async methods: {string.Join(", ", clientType.GetMethods().Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal)).Select(m => m.Name).Distinct())}.");
        return new GeneratedOperation(operation, clientType, method);
    }

    /// <summary>Drops everything but letters and digits and lower-cases, so <c>task_id</c>, <c>task-id</c> and <c>taskId</c> match.</summary>
    public static string Normalize(string name) =>
        new([.. name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);

    /// <summary>Creates the client over <paramref name="httpClient"/> (constructor taking an <see cref="HttpClient"/>).</summary>
    public object CreateClient(HttpClient httpClient)
    {
        var constructor = ClientType.GetConstructor([typeof(HttpClient)])
            ?? throw new InvalidOperationException($"{ClientType.FullName} has no constructor taking an HttpClient.");
        return constructor.Invoke([httpClient]);
    }

    /// <summary>
    /// The method arguments: each C# parameter gets the <c>example</c> of the spec parameter with the same
    /// normalized name, converted to its type; the last one is <paramref name="cancellationToken"/>.
    /// </summary>
    public object?[] BuildArguments(CancellationToken cancellationToken)
    {
        var parameters = Method.GetParameters();
        var arguments = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var parameter = parameters[i];
            if (parameter.ParameterType == typeof(CancellationToken))
            {
                arguments[i] = cancellationToken;
                continue;
            }

            var spec = Operation.Parameters.FirstOrDefault(p => Normalize(p.Name) == Normalize(parameter.Name ?? string.Empty))
                ?? throw new InvalidOperationException(
                    $"{Method.Name} parameter '{parameter.Name}' matches no parameter of {Operation} " +
                    $"({string.Join(", ", Operation.Parameters.Select(p => p.Name))}).");
            arguments[i] = spec.Example is null
                ? (IsNullable(parameter.ParameterType) ? null : throw new InvalidOperationException($"{Operation}: parameter '{spec.Name}' has no example."))
                : ConvertExample(spec.Example, parameter.ParameterType, $"{Operation} parameter '{spec.Name}'");
        }

        return arguments;
    }

    /// <summary>Calls the method and returns its result (<see langword="null"/> for a plain <see cref="Task"/>); exceptions are unwrapped.</summary>
    public async Task<object?> InvokeAsync(object client, object?[] arguments)
    {
        Task task;
        try
        {
            task = (Task)Method.Invoke(client, arguments)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }

        await task.ConfigureAwait(false);
        return task.GetType().IsGenericType ? task.GetType().GetProperty(nameof(Task<object>.Result))!.GetValue(task) : null;
    }

    /// <summary>The path the client should request: the template with every path parameter example percent-encoded.</summary>
    public string ExpectedPath()
    {
        var path = Operation.Path;
        foreach (var parameter in Operation.Parameters.Where(p => p.Location == SpecParameterLocation.Path))
        {
            path = path.Replace("{" + parameter.Name + "}", Uri.EscapeDataString(parameter.Example ?? string.Empty), StringComparison.Ordinal);
        }

        return path;
    }

    /// <summary>The query parameters (decoded name, decoded value) the client should send.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ExpectedQuery() =>
        [.. Operation.Parameters
            .Where(p => p.Location == SpecParameterLocation.Query && p.Example is not null)
            .Select(p => new KeyValuePair<string, string>(p.Name, p.Example!))];

    /// <summary>The expected query string pairs as encoded on the wire ("name=value", both percent-encoded), sorted.</summary>
    public IReadOnlyList<string> ExpectedEncodedQueryPairs() =>
        [.. ExpectedQuery().Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}").Order(StringComparer.Ordinal)];

    private static bool IsNullable(Type type) => !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;

    /// <summary>Converts a parameter example to <paramref name="type"/> (also used for the Kiota clients' query parameters).</summary>
    internal static object ConvertExample(string example, Type type, string what)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        try
        {
            if (target == typeof(string) || target == typeof(object))
            {
                return example;
            }

            if (target.IsEnum)
            {
                foreach (var field in target.GetFields(BindingFlags.Public | BindingFlags.Static))
                {
                    var wireName = field.GetCustomAttribute<EnumMemberAttribute>()?.Value ?? field.Name;
                    if (string.Equals(wireName, example, StringComparison.Ordinal))
                    {
                        return field.GetValue(null)!;
                    }
                }

                throw new FormatException($"'{example}' is no member of {target.Name}.");
            }

            if (target == typeof(DateTimeOffset))
            {
                return DateTimeOffset.Parse(example, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            }

            if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                var elementType = target.GetGenericArguments()[0];
                var items = example.Split(',');
                var array = Array.CreateInstance(elementType, items.Length);
                for (var i = 0; i < items.Length; i++)
                {
                    array.SetValue(ConvertExample(items[i], elementType, what), i);
                }

                return array;
            }

            if (typeof(IConvertible).IsAssignableFrom(target))
            {
                return Convert.ChangeType(example, target, CultureInfo.InvariantCulture);
            }

            return TypeDescriptor.GetConverter(target).ConvertFromInvariantString(example)
                ?? throw new FormatException($"'{example}' converts to null.");
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException or NotSupportedException)
        {
            throw new InvalidOperationException($"{what}: example '{example}' does not convert to {type.Name}: {ex.Message}", ex);
        }
    }
}
