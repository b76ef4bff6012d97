exports.flatmap = require('flatmap-stream');
