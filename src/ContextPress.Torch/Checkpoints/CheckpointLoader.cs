using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Torch.Checkpoints;

/// <summary>Copies checkpoint tensors into a module's parameters and buffers, strictly, with a clear error on mismatch.</summary>
public static class CheckpointLoader
{
    /// <summary>
    /// Loads every tensor of <paramref name="checkpoint"/> into <paramref name="module"/>: each module key must be
    /// provided (unless optional), each mapped checkpoint tensor must have a place, and shapes must agree. Values are
    /// converted to each target's dtype and device. Nothing is copied unless everything matches.
    /// </summary>
    /// <returns>The module keys that were loaded.</returns>
    /// <exception cref="CheckpointMismatchException">Missing, unexpected or mis-shaped tensors; the message lists them all.</exception>
    public static IReadOnlyCollection<string> Load(nn.Module module, ICheckpointReader checkpoint, CheckpointLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(checkpoint);
        options ??= new CheckpointLoadOptions();
        var mapName = options.MapName ?? (static n => n);
        var targets = module.state_dict();

        var plan = new Dictionary<string, string>(StringComparer.Ordinal); // module key -> checkpoint name
        var unexpected = new List<string>();
        var shapeMismatches = new List<string>();
        foreach (var name in checkpoint.TensorNames.Order(StringComparer.Ordinal))
        {
            var key = mapName(name);
            if (key is null)
            {
                continue;
            }
            if (!targets.TryGetValue(key, out var target))
            {
                unexpected.Add(key == name ? name : $"{name} (as {key})");
                continue;
            }
            if (!plan.TryAdd(key, name))
            {
                unexpected.Add($"{name} (as {key}, already provided by {plan[key]})");
                continue;
            }
            var shape = checkpoint.GetShape(name);
            if (!shape.SequenceEqual(target.shape))
            {
                shapeMismatches.Add($"{key}: checkpoint [{string.Join(", ", shape)}] vs module [{string.Join(", ", target.shape)}]");
            }
        }
        var missing = targets.Keys.Where(k => !plan.ContainsKey(k) && !options.OptionalModuleKeys.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || shapeMismatches.Count > 0)
        {
            throw new CheckpointMismatchException(missing, unexpected, shapeMismatches);
        }

        using (no_grad())
        {
            foreach (var (key, name) in plan)
            {
                using var scope = NewDisposeScope();
                var source = checkpoint.ReadTensor(name);
                targets[key].copy_(source);
            }
        }
        return plan.Keys;
    }
}
