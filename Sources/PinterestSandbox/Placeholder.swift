public enum PinterestSandboxPlaceholder {}
