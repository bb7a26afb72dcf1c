namespace ContextPress.Observations;

/// <summary>
/// Which tool results are compressed as they arrive, and how: a default plus per-function overrides and opt-outs.
/// </summary>
/// <remarks>
/// Function names match case-insensitively, by their full name (<c>Shop-GetOrders</c>, <c>Shop_GetOrders</c>) or by
/// the function's own name (<c>GetOrders</c>), because Semantic Kernel advertises plugin functions as
/// <c>Plugin-Function</c> on its native connectors and as <c>Plugin_Function</c> through chat clients.
/// </remarks>
public sealed class ObservationCompressionSettings
{
    /// <summary>Gets or sets the options for functions without an override. Default <see cref="ObservationCompressionOptions.Default"/>.</summary>
    public ObservationCompressionOptions Default { get; set; } = ObservationCompressionOptions.Default;

    /// <summary>Gets per-function options, keyed by function name.</summary>
    public IDictionary<string, ObservationCompressionOptions> Functions { get; } = new Dictionary<string, ObservationCompressionOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the functions whose results are never compressed (say, ones that return secrets or exact documents).</summary>
    public ISet<string> ExcludedFunctions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the options for a function's results.</summary>
    /// <param name="functionName">The function's name as the model sees it, with or without a plugin prefix.</param>
    /// <param name="pluginName">The plugin's name, when the caller knows it separately.</param>
    /// <returns>The options, or <see langword="null"/> when the function is excluded.</returns>
    public ObservationCompressionOptions? For(string? functionName, string? pluginName = null)
    {
        IReadOnlyList<string> names = NamesOf(functionName, pluginName);
        if (names.Any(ExcludedFunctions.Contains))
        {
            return null;
        }

        foreach (string name in names)
        {
            if (Functions.TryGetValue(name, out ObservationCompressionOptions? options))
            {
                return options;
            }
        }

        return Default;
    }

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Default, nameof(Default));
        Default.Validate();
        foreach ((string name, ObservationCompressionOptions options) in Functions)
        {
            if (options is null)
            {
                throw new ArgumentException($"The options for function '{name}' are null; add it to {nameof(ExcludedFunctions)} to opt it out.", nameof(Functions));
            }

            options.Validate();
        }
    }

    private static List<string> NamesOf(string? functionName, string? pluginName)
    {
        List<string> names = [];
        if (string.IsNullOrEmpty(functionName))
        {
            return names;
        }

        if (!string.IsNullOrEmpty(pluginName))
        {
            names.Add($"{pluginName}-{functionName}");
            names.Add($"{pluginName}_{functionName}");
            names.Add($"{pluginName}.{functionName}");
        }

        names.Add(functionName);
        int separator = functionName.IndexOfAny(['-', '_', '.']);
        if (string.IsNullOrEmpty(pluginName) && separator > 0 && separator < functionName.Length - 1)
        {
            // "Plugin_Function": also try "Plugin-Function", "Plugin.Function" and "Function".
            string plugin = functionName[..separator];
            string function = functionName[(separator + 1)..];
            names.Add($"{plugin}-{function}");
            names.Add($"{plugin}_{function}");
            names.Add($"{plugin}.{function}");
            names.Add(function);
        }

        return names;
    }
}
