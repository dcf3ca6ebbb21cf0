namespace NeuronHost.Plugins.IoU;
