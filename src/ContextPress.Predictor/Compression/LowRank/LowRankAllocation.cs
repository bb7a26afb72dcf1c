namespace ContextPress.Predictor.Compression;

/// <summary>One layer's share of a global low-rank budget (see <see cref="LowRankBudget.AllocateRanks"/>).</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Out">Output features.</param>
/// <param name="In">Input features.</param>
/// <param name="Rank">The rank to factor the layer at, or <see langword="null"/> to keep it dense (cheaper or as cheap at the rank it earned).</param>
/// <param name="TruncationLoss">The loss the allocation leaves: Σ of the dropped σ_i² (0 when dense).</param>
public sealed record LowRankAllocation(string Name, int Out, int In, int? Rank, double TruncationLoss)
{
    /// <summary>Whether the layer stays a dense out × in matrix.</summary>
    public bool KeepsDense => Rank is null;

    /// <summary>Parameters stored for the layer: rank·(out + in), or out·in when dense.</summary>
    public long ParameterCount => Rank is { } rank ? (long)rank * (Out + In) : (long)Out * In;
}
