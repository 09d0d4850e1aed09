using System.Reflection;

namespace ModelActors.Models;

/// <summary>Reflection over model classes: their item/result types and which predict method they override.</summary>
internal static class ModelTypes
{
    public readonly record struct Shape(Type ItemType, Type ResultType, bool IsSync, bool OverridesSingle);

    /// <summary>Inspects <paramref name="type"/>; adds a message to <paramref name="errors"/> and returns null when it is not a usable model class.</summary>
    public static Shape? Inspect(Type type, string modelName, List<string> errors)
    {
        if (type.IsAbstract || type.IsGenericTypeDefinition)
        {
            errors.Add($"Model '{modelName}': class {type.FullName} is abstract or an open generic type; register a concrete class.");
            return null;
        }

        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (!t.IsGenericType)
            {
                continue;
            }

            var definition = t.GetGenericTypeDefinition();
            if (definition != typeof(Model<,>) && definition != typeof(AsyncModel<,>))
            {
                continue;
            }

            var args = t.GetGenericArguments();
            var isSync = definition == typeof(Model<,>);
            var single = Overrides(type, t, isSync ? "Predict" : "PredictAsync", args[0]);
            var batch = Overrides(type, t, isSync ? "PredictBatch" : "PredictBatchAsync", typeof(IReadOnlyList<>).MakeGenericType(args[0]));
            if (single == batch)
            {
                var (one, many) = isSync ? ("Predict", "PredictBatch") : ("PredictAsync", "PredictBatchAsync");
                errors.Add(single
                    ? $"Model '{modelName}': class {type.Name} overrides both {one} and {many}; override exactly one."
                    : $"Model '{modelName}': class {type.Name} overrides neither {one} nor {many}; override exactly one.");
                return null;
            }

            return new Shape(args[0], args[1], isSync, single);
        }

        errors.Add($"Model '{modelName}': class {type.FullName} derives from neither Model<TItem, TResult> nor AsyncModel<TItem, TResult>.");
        return null;
    }

    private static bool Overrides(Type type, Type baseType, string name, Type firstParameter)
    {
        var method = type.GetMethod(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, [firstParameter, typeof(CancellationToken)]);
        return method is not null && method.DeclaringType != baseType;
    }

    /// <summary>
    /// The packages of ModelActors that hold model classes a configuration may name (<c>"Type": "OnnxModel"</c>): their
    /// assemblies load only when code uses them, so a configuration-only use would not find their classes among the
    /// loaded ones; they are loaded by name when present beside the application.
    /// </summary>
    private static readonly string[] ExtensionAssemblies = ["ModelActors.Onnx", "ModelActors.Pretrained"];

    /// <summary>Finds a model class by type name or full name among the given assemblies, then all loaded ones, then ModelActors' own packages present beside the application.</summary>
    public static Type? Resolve(string typeName, IEnumerable<Assembly> preferred, out string? error)
    {
        error = null;
        var searches = new Func<Assembly[]>[] { () => preferred.Distinct().ToArray(), AppDomain.CurrentDomain.GetAssemblies, LoadExtensions };
        foreach (var assemblies in searches.Select(search => search()))
        {
            var matches = assemblies
                .SelectMany(SafeTypes)
                .Where(t => (t.FullName == typeName || t.Name == typeName) && IsModelClass(t))
                .Distinct()
                .ToList();
            if (matches.Count == 1)
            {
                return matches[0];
            }

            if (matches.Count > 1)
            {
                error = $"type name '{typeName}' is ambiguous: {string.Join(", ", matches.Select(m => m.FullName))}; use the full name.";
                return null;
            }
        }

        return null;
    }

    private static Assembly[] LoadExtensions()
    {
        var loaded = new List<Assembly>();
        foreach (var name in ExtensionAssemblies)
        {
            try
            {
                loaded.Add(Assembly.Load(new AssemblyName(name)));
            }
            catch (Exception exception) when (exception is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                // That package is not part of this application.
            }
        }

        return [.. loaded];
    }

    public static bool IsModelClass(Type type)
    {
        if (type.IsAbstract || !type.IsClass)
        {
            return false;
        }

        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ModelBase<,>))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<Type> SafeTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException exception)
        {
            return exception.Types.OfType<Type>();
        }
    }
}
