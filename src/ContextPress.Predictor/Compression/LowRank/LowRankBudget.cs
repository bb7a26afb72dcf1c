namespace ContextPress.Predictor.Compression;

/// <summary>
/// Ranks for a parameter budget. The budget is stated as the fraction of parameters <b>kept</b>: "20 % removed" (SVD-LLM's
/// ratio) is keep = 0.8 (ASVD's param ratio). A rank-k pair costs k·(out + in), so low rank saves bytes only while
/// k &lt; out·in/(out + in).
/// </summary>
public static class LowRankBudget
{
    /// <summary>
    /// The uniform rank that keeps <paramref name="keep"/> of an out × in matrix's parameters: ⌊keep·out·in/(out + in)⌋,
    /// computed in the same order as SVD-LLM's <c>int(m·n·keep/(m+n))</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, <paramref name="keep"/> is outside (0, 1], or the rank would be 0.</exception>
    public static int RankForKeptFraction(int outFeatures, int inFeatures, double keep)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        CheckKeep(keep, nameof(keep));
        var rank = (int)Math.Floor((double)((long)outFeatures * inFeatures) * keep / (outFeatures + inFeatures));
        if (rank < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(keep), keep, $"keep {keep} leaves no rank for a {outFeatures} × {inFeatures} matrix (⌊keep·m·n/(m+n)⌋ = 0).");
        }
        return rank;
    }

    /// <summary>The largest rank that costs no more than the dense matrix: ⌊out·in/(out + in)⌋ (0 when even rank 1 costs more).</summary>
    public static int BreakEvenRank(int outFeatures, int inFeatures)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        return (int)((long)outFeatures * inFeatures / (outFeatures + inFeatures));
    }

    /// <summary>The global budget ⌊keep·Σ out·in⌋ that <see cref="AllocateRanks"/> stays within.</summary>
    public static long ParameterBudget(IReadOnlyList<LowRankLayerSpectrum> layers, double keepFraction)
    {
        CheckLayers(layers);
        CheckKeep(keepFraction, nameof(keepFraction));
        return (long)Math.Floor(keepFraction * layers.Sum(l => (double)((long)l.Out * l.In)));
    }

    /// <summary>
    /// Per-layer ranks for a global budget of <paramref name="keepFraction"/> of the layers' dense parameters, greedily by
    /// loss reduction per parameter: every layer starts at rank 1, then the step with the largest σ²_{r+1}/(out + in)
    /// among all layers is taken while it fits. A layer that reaches its break-even rank ⌊out·in/(out + in)⌋ may take one
    /// last step, to dense (gain: all its remaining loss; cost: out·in − r·(out + in)), judged by the same ratio; a layer
    /// whose break-even rank is 0 is dense from the start.
    /// </summary>
    /// <returns>One allocation per layer, in the input order; Σ <see cref="LowRankAllocation.ParameterCount"/> ≤ the budget.</returns>
    /// <remarks>
    /// Greedy, not an exact knapsack: it minimizes the total loss when every layer has the same out + in and none reaches
    /// its break-even rank (each layer's loss is then convex in its rank); otherwise it is a heuristic. Steps that reduce no
    /// loss are not taken, so the budget may be left partly unspent.
    /// </remarks>
    /// <exception cref="ArgumentException">A layer's spectrum is malformed, or the budget cannot pay for rank 1 everywhere.</exception>
    public static IReadOnlyList<LowRankAllocation> AllocateRanks(IReadOnlyList<LowRankLayerSpectrum> layers, double keepFraction)
    {
        var budget = ParameterBudget(layers, keepFraction);
        var count = layers.Count;
        var ranks = new int[count];
        var dense = new bool[count];
        var used = 0L;
        for (var i = 0; i < count; i++)
        {
            var layer = layers[i];
            if (BreakEvenRank(layer.Out, layer.In) == 0)
            {
                dense[i] = true;
                used += (long)layer.Out * layer.In;
            }
            else
            {
                ranks[i] = 1;
                used += layer.Out + layer.In;
            }
        }
        if (used > budget)
        {
            throw new ArgumentOutOfRangeException(nameof(keepFraction), keepFraction, $"keepFraction {keepFraction} gives a budget of {budget} parameters, fewer than the {used} that rank 1 in every layer needs.");
        }

        // Largest gain per parameter first; ties go to the earlier layer so the result is deterministic.
        var queue = new PriorityQueue<int, (double Ratio, int Layer)>(Comparer<(double Ratio, int Layer)>.Create(
            (a, b) => a.Ratio != b.Ratio ? b.Ratio.CompareTo(a.Ratio) : a.Layer.CompareTo(b.Layer)));
        for (var i = 0; i < count; i++)
        {
            Enqueue(i);
        }
        while (queue.TryDequeue(out var i, out _))
        {
            var (cost, _, toDense) = NextStep(layers[i], ranks[i]);
            if (used + cost > budget)
            {
                continue; // The budget only shrinks, so this layer's next step never fits: it is done.
            }
            used += cost;
            if (toDense)
            {
                dense[i] = true;
            }
            else
            {
                ranks[i]++;
                Enqueue(i);
            }
        }

        var result = new LowRankAllocation[count];
        for (var i = 0; i < count; i++)
        {
            var layer = layers[i];
            result[i] = dense[i]
                ? new LowRankAllocation(layer.Name, layer.Out, layer.In, null, 0)
                : new LowRankAllocation(layer.Name, layer.Out, layer.In, ranks[i], Tail(layer.SquaredSingularValues, ranks[i]));
        }
        return result;

        void Enqueue(int i)
        {
            if (dense[i])
            {
                return;
            }
            var (cost, gain, _) = NextStep(layers[i], ranks[i]);
            if (gain > 0)
            {
                queue.Enqueue(i, (cost == 0 ? double.PositiveInfinity : gain / cost, i));
            }
        }
    }

    /// <summary>The next move of a layer at <paramref name="rank"/>: one more rank, or to dense at the break-even rank.</summary>
    private static (long Cost, double Gain, bool ToDense) NextStep(LowRankLayerSpectrum layer, int rank)
    {
        var sigma = layer.SquaredSingularValues;
        if (rank < BreakEvenRank(layer.Out, layer.In))
        {
            return (layer.Out + layer.In, rank < sigma.Length ? sigma[rank] : 0, false);
        }
        return ((long)layer.Out * layer.In - (long)rank * (layer.Out + layer.In), Tail(sigma, rank), true);
    }

    private static double Tail(double[] squared, int rank)
    {
        var sum = 0.0;
        for (var i = rank; i < squared.Length; i++)
        {
            sum += squared[i];
        }
        return sum;
    }

    private static void CheckKeep(double keep, string paramName)
    {
        if (!double.IsFinite(keep) || keep <= 0 || keep > 1)
        {
            throw new ArgumentOutOfRangeException(paramName, keep, $"{paramName} is the fraction of parameters kept and must be in (0, 1] (20 % removed is 0.8).");
        }
    }

    private static void CheckLayers(IReadOnlyList<LowRankLayerSpectrum> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0)
        {
            throw new ArgumentException("layers must hold at least one layer.", nameof(layers));
        }
        foreach (var layer in layers)
        {
            if (layer is null)
            {
                throw new ArgumentException("layers must not contain null.", nameof(layers));
            }
            if (layer.Out < 1 || layer.In < 1)
            {
                throw new ArgumentException($"Layer '{layer.Name}' has size {layer.Out} × {layer.In}; both must be at least 1.", nameof(layers));
            }
            var sigma = layer.SquaredSingularValues ?? throw new ArgumentException($"Layer '{layer.Name}' has no spectrum.", nameof(layers));
            if (sigma.Length > Math.Min(layer.Out, layer.In))
            {
                throw new ArgumentException($"Layer '{layer.Name}' has {sigma.Length} squared singular values; a {layer.Out} × {layer.In} matrix has at most {Math.Min(layer.Out, layer.In)}.", nameof(layers));
            }
            for (var i = 0; i < sigma.Length; i++)
            {
                if (!double.IsFinite(sigma[i]) || sigma[i] < 0)
                {
                    throw new ArgumentException($"Layer '{layer.Name}' has squared singular value {sigma[i]} at {i}; each must be finite and ≥ 0.", nameof(layers));
                }
                if (i > 0 && sigma[i] > sigma[i - 1] * (1 + 1e-12))
                {
                    throw new ArgumentException($"Layer '{layer.Name}''s squared singular values must be non-increasing; {sigma[i]} at {i} follows {sigma[i - 1]}.", nameof(layers));
                }
            }
        }
    }
}
