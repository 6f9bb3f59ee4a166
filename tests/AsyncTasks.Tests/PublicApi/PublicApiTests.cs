using System.Reflection;
using System.Text;
using AsyncTasks.Tests.Infrastructure;

namespace AsyncTasks.Tests.PublicApi;

/// <summary>
/// The public surface of the AsyncTasks assembly is listed in AsyncTasks.api.txt, so any change to it shows in
/// review. After an intended change, run the tests with ASYNCTASKS_ACCEPT_API=1 to rewrite the listing.
/// </summary>
[TestFixture]
public sealed class PublicApiTests
{
    private static string ListingPath =>
        Path.Combine(RepositoryLayout.Root, "tests", "AsyncTasks.Tests", "PublicApi", "AsyncTasks.api.txt");

    [Test]
    public void PublicApiMatchesTheCommittedListing()
    {
        var actual = PublicApiListing.Describe(typeof(TaskClient).Assembly);

        if (Environment.GetEnvironmentVariable("ASYNCTASKS_ACCEPT_API") == "1")
        {
            File.WriteAllText(ListingPath, actual);
        }

        var expected = File.Exists(ListingPath) ? File.ReadAllText(ListingPath).ReplaceLineEndings("\n") : string.Empty;
        if (expected != actual)
        {
            File.WriteAllText(Path.ChangeExtension(ListingPath, ".received.txt"), actual);
        }

        Assert.That(
            actual,
            Is.EqualTo(expected),
            "The public API changed. Review AsyncTasks.received.txt; if intended, rerun with ASYNCTASKS_ACCEPT_API=1.");
    }

    [Test]
    public void ListingDescribesMembersWithTheirSignatures()
    {
        var listing = PublicApiListing.Describe(typeof(TaskClient).Assembly);

        Assert.That(listing, Does.Contain("public interface AsyncTasks.ITaskClient"));
        Assert.That(
            listing,
            Does.Contain("  System.Threading.Tasks.Task<AsyncTasks.TaskSnapshot> GetAsync(AsyncTasks.TaskRef task, System.Threading.CancellationToken cancellationToken = default)"));
        Assert.That(listing, Does.Contain("public enum AsyncTasks.TaskState"));
        Assert.That(listing, Does.Not.Contain("AsyncTasks.Providers."), "adapters are internal");
    }

    [Test]
    public void EveryPublicClassIsSealedOrStaticOrTheExceptionBase()
    {
        var open = typeof(TaskClient).Assembly.GetExportedTypes()
            .Where(t => t.IsClass && !t.IsSealed && !t.IsAbstract && t != typeof(TaskClientException))
            .Select(t => t.FullName)
            .ToList();

        Assert.That(open, Is.Empty);
    }
}

/// <summary>A stable, sorted text listing of an assembly's public types and members.</summary>
internal static class PublicApiListing
{
    public static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        // Mutation testing (dotnet-stryker) injects a public MutantControl type into the assembly it tests.
        var types = assembly.GetExportedTypes()
            .Where(t => t.Namespace?.StartsWith("Stryker", StringComparison.Ordinal) != true)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (var type in types)
        {
            text.Append(DescribeType(type)).Append('\n');
            var members = type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m is not MethodInfo { IsSpecialName: true })
                .Select(DescribeMember)
                .Where(line => line is not null)
                .OrderBy(line => line, StringComparer.Ordinal);
            foreach (var member in members)
            {
                text.Append("  ").Append(member).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string DescribeType(Type type)
    {
        var kind = type switch
        {
            { IsInterface: true } => "interface",
            { IsEnum: true } => "enum",
            { IsValueType: true } => "struct",
            { IsAbstract: true, IsSealed: true } => "static class",
            { IsSealed: true } => "sealed class",
            { IsAbstract: true } => "abstract class",
            _ => "class",
        };
        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(Enum) && baseType != typeof(ValueType))
        {
            bases.Add(Name(baseType));
        }

        bases.AddRange(type.GetInterfaces().Where(i => !i.IsGenericType || i.Name != "IEquatable`1").Select(Name).Order(StringComparer.Ordinal));
        return $"public {kind} {Name(type)}{(bases.Count > 0 ? " : " + string.Join(", ", bases) : string.Empty)}";
    }

    private static string? DescribeMember(MemberInfo member) => member switch
    {
        ConstructorInfo c => $"ctor({Parameters(c.GetParameters())})",
        MethodInfo m when m.Name is "<Clone>$" => null,
        MethodInfo m => $"{(m.IsStatic ? "static " : string.Empty)}{Name(m.ReturnType)} {m.Name}{GenericArguments(m)}({Parameters(m.GetParameters())})",
        PropertyInfo p => $"{(p.GetMethod?.IsStatic == true ? "static " : string.Empty)}{Name(p.PropertyType)} {p.Name} {{ {Accessors(p)}}}",
        FieldInfo f when f.DeclaringType!.IsEnum => f.IsSpecialName ? null : $"{f.Name} = {Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}",
        FieldInfo f => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : string.Empty)}{Name(f.FieldType)} {f.Name}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        Type nested => $"nested {Name(nested)}",
        _ => null,
    };

    private static string Accessors(PropertyInfo property)
    {
        var text = new StringBuilder();
        if (property.GetMethod is { IsPublic: true })
        {
            text.Append("get; ");
        }

        if (property.SetMethod is { IsPublic: true } setter)
        {
            var isInit = setter.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit");
            text.Append(isInit ? "init; " : "set; ");
        }

        return text.ToString();
    }

    private static string GenericArguments(MethodInfo method) =>
        method.IsGenericMethodDefinition ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">" : string.Empty;

    private static string Parameters(ParameterInfo[] parameters) =>
        string.Join(", ", parameters.Select(p =>
        {
            var prefix = p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : string.Empty;
            if (p.GetCustomAttributes().Any(a => a.GetType().Name == "ParamArrayAttribute"))
            {
                prefix = "params ";
            }

            var type = p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType;
            var text = $"{prefix}{Name(type)} {p.Name}";
            if (p.HasDefaultValue)
            {
                text += " = " + (p.DefaultValue is null ? (type.IsValueType && Nullable.GetUnderlyingType(type) is null ? "default" : "null") : Literal(p.DefaultValue));
            }

            return text;
        }));

    private static string Literal(object value) => value switch
    {
        string s => $"\"{s}\"",
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "?",
    };

    private static string Name(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        var name = type.IsNested ? Name(type.DeclaringType!) + "." + type.Name : $"{type.Namespace}.{type.Name}";
        if (type.IsGenericType)
        {
            name = name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
        }

        return name;
    }
}
