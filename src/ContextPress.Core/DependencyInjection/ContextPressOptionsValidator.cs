using Microsoft.Extensions.Options;

namespace ContextPress.DependencyInjection;

/// <summary>Validates <see cref="ContextPressOptions"/>, naming the setting that is out of range.</summary>
internal sealed class ContextPressOptionsValidator : IValidateOptions<ContextPressOptions>
{
    public ValidateOptionsResult Validate(string? name, ContextPressOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"ContextPressOptions: {ex.Message}");
        }
    }
}
