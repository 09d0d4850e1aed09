namespace ModelActors.Models;

/// <summary>Checks the dependency graph (missing models, cycles) and orders models so each comes after its dependencies.</summary>
internal static class DependencyGraph
{
    public static void Validate(IReadOnlyDictionary<string, ModelDefinition> models, List<string> errors)
    {
        foreach (var model in models.Values)
        {
            foreach (var (key, target) in model.Dependencies)
            {
                if (!models.ContainsKey(target))
                {
                    var hint = NameSuggester.Hint(target, models.Keys);
                    var via = key == target ? string.Empty : $" (as '{key}')";
                    errors.Add($"Model '{model.Name}' depends on '{target}'{via}, which is not registered.{hint}");
                }
            }
        }

        ValidateFallbacks(models, errors);
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        var reported = new HashSet<string>();
        foreach (var name in models.Keys.Order(StringComparer.Ordinal))
        {
            FindCycles(name, models, state, path, errors, reported);
        }
    }

    private static void ValidateFallbacks(IReadOnlyDictionary<string, ModelDefinition> models, List<string> errors)
    {
        foreach (var model in models.Values.Where(m => m.Fallback is not null))
        {
            if (!models.TryGetValue(model.Fallback!, out var fallback))
            {
                errors.Add($"Model '{model.Name}' falls back to '{model.Fallback}', which is not registered.{NameSuggester.Hint(model.Fallback!, models.Keys)}");
                continue;
            }

            if (fallback.ItemType != model.ItemType || fallback.ResultType != model.ResultType)
            {
                errors.Add($"Model '{model.Name}' ({model.ItemType.Name} -> {model.ResultType.Name}) falls back to '{fallback.Name}' ({fallback.ItemType.Name} -> {fallback.ResultType.Name}); a fallback must have the same item and result types.");
                continue;
            }

            var chain = new List<string> { model.Name };
            for (var next = model.Fallback; next is not null && models.TryGetValue(next, out var step); next = step.Fallback)
            {
                if (chain.Contains(next))
                {
                    if (next == model.Name)
                    {
                        errors.Add($"Fallback cycle: {string.Join(" -> ", chain.Append(next).Select(n => $"'{n}'"))}.");
                    }

                    break;
                }

                chain.Add(next);
            }
        }
    }

    /// <summary>Every model in <paramref name="roots"/> and their dependencies, each once, dependencies first.</summary>
    public static List<string> LoadOrder(IReadOnlyDictionary<string, ModelDefinition> models, IEnumerable<string> roots)
    {
        var order = new List<string>();
        var seen = new HashSet<string>();
        foreach (var root in roots)
        {
            Visit(root, models, seen, order);
        }

        return order;
    }

    private static void Visit(string name, IReadOnlyDictionary<string, ModelDefinition> models, HashSet<string> seen, List<string> order)
    {
        if (!seen.Add(name))
        {
            return;
        }

        foreach (var dependency in models[name].Dependencies.Values)
        {
            Visit(dependency, models, seen, order);
        }

        order.Add(name);
    }

    private static void FindCycles(string name, IReadOnlyDictionary<string, ModelDefinition> models, Dictionary<string, int> state, List<string> path, List<string> errors, HashSet<string> reported)
    {
        const int Visiting = 1;
        const int Done = 2;
        if (!models.TryGetValue(name, out var model) || state.GetValueOrDefault(name) == Done)
        {
            return;
        }

        if (state.GetValueOrDefault(name) == Visiting)
        {
            var cycle = path.Skip(path.IndexOf(name)).Append(name).ToList();
            var canonical = string.Join(",", cycle.Skip(1).Order(StringComparer.Ordinal));
            if (reported.Add(canonical))
            {
                errors.Add($"Dependency cycle: {string.Join(" -> ", cycle.Select(n => $"'{n}'"))}.");
            }

            return;
        }

        state[name] = Visiting;
        path.Add(name);
        foreach (var dependency in model.Dependencies.Values)
        {
            FindCycles(dependency, models, state, path, errors, reported);
        }

        path.RemoveAt(path.Count - 1);
        state[name] = Done;
    }
}
